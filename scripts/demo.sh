#!/usr/bin/env bash
# The README's first command: installs what is needed, builds and installs pgwatch_rpc,
# starts a throwaway PostgreSQL cluster with the hub and its embedded default sink (`postgres`:
# pgwatch's own storage schema in the hub database), sends realistic pgwatch measurements
# through the TLS listener with `pgwatch-rpc send`, shows them arriving in the spool and in
# pgwatch's metric tables, and prints the pgwatch --sink argument.
# Run as root on Debian 12. Settings: DEMO_DIR (default /tmp/pgwatch_rpc-demo),
# DEMO_PG_PORT (default 55432), DEMO_GRPC_PORT (default 5051).
source "$(dirname "$0")/lib.sh"
need_root
DEMO_DIR=${DEMO_DIR:-/tmp/pgwatch_rpc-demo}
PG_PORT=${DEMO_PG_PORT:-55432}
GRPC_PORT=${DEMO_GRPC_PORT:-5051}
DATA="$DEMO_DIR/data"

install_packages
build_and_install

psql_demo() { as_postgres psql -X -v ON_ERROR_STOP=1 -h "$DEMO_DIR" -p "$PG_PORT" -d postgres "$@"; }

if [ -f "$DATA/postmaster.pid" ]; then
	say "stopping the previous demo cluster in $DATA"
	as_postgres pg_ctl -D "$DATA" -m fast -w stop || true
fi
say "creating a throwaway cluster in $DATA (PostgreSQL port $PG_PORT, gRPC port $GRPC_PORT)"
rm -rf "$DEMO_DIR"
install -d -o postgres -g postgres -m 0755 "$DEMO_DIR"
as_postgres initdb -D "$DATA" -A peer --no-instructions >/dev/null
cat >>"$DATA/postgresql.conf" <<CONF
listen_addresses = ''
port = $PG_PORT
unix_socket_directories = '$DEMO_DIR'
shared_preload_libraries = 'pgwatch_rpc'
pgwatch_rpc.port = $GRPC_PORT
CONF
# The listener and the delivery children log in over the unix socket as
# pgwatch_rpc_listener / pgwatch_rpc_delivery with passwords the launcher sets at each start
# (see docs/operations.md).
sed -i '1i local all pgwatch_rpc_listener,pgwatch_rpc_delivery scram-sha-256' "$DATA/pg_hba.conf"
as_postgres pg_ctl -D "$DATA" -l "$DEMO_DIR/server.log" -w start >/dev/null
psql_demo -q -c 'CREATE EXTENSION pgwatch_rpc'
say "adding the embedded default sink: pgwatch's storage schema in this database"
psql_demo -Atq -c "SELECT rpc_sink_add('postgres')"

say "waiting for the TLS listener"
for _ in $(seq 1 100); do
	[ -s "$DATA/pgwatch_rpc/default.key" ] && (exec 3<>"/dev/tcp/127.0.0.1/$GRPC_PORT") 2>/dev/null && break
	sleep 0.2
done
[ -s "$DATA/pgwatch_rpc/default.key" ] || die "the hub did not start; see $DEMO_DIR/server.log"
SECRET=$(cat "$DATA/pgwatch_rpc/default.key")
psql_demo -Atq -c 'SELECT rpc_tls_certificate()' >"$DEMO_DIR/ca.pem"
chmod 0644 "$DEMO_DIR/ca.pem"

SINK="grpc://default:$SECRET@localhost:$GRPC_PORT/?sslrootca=$DEMO_DIR/ca.pem"
say "sending pgwatch-shaped measurements over TLS with pgwatch-rpc send"
"$PG_BINDIR/pgwatch-rpc" send --sink "$SINK" --count 200 --sources 3 | grep -v '^UpdateMeasurements: ' ||
	die "some calls failed (see above and $DEMO_DIR/server.log)"

say "what arrived in the spool"
sleep 1.5 # the listener publishes its statistics about once a second
psql_demo -c "SELECT kind, metric, count(DISTINCT dbname) AS sources, count(*) AS envelopes, sum(nrows) AS rows
              FROM pgwatch_rpc.spool GROUP BY 1, 2 ORDER BY 1, 2"
psql_demo -x -c "SELECT listener, connections_total, calls_ok, calls_failed, rows, bytes,
                        commit_p50_ms, commit_p99_ms FROM rpc_stat_listener"

say "waiting for the postgres sink to deliver the backlog"
for _ in $(seq 1 150); do
	[ "$(psql_demo -Atq -c "SELECT state = 'running' AND backlog_envelopes = 0 FROM rpc_stat_sinks WHERE name = 'postgres'")" = t ] && break
	sleep 0.2
done
psql_demo -x -c "SELECT name, state, delivered_envelopes, delivered_rows, retries, dead_letters,
                        backlog_envelopes, lag_seconds, last_success_at, last_error FROM rpc_stat_sinks"
say "pgwatch's metric tables in this database (what its Grafana dashboards read)"
psql_demo -Atq -c "SELECT string_agg(format('SELECT %L AS metric, count(*) AS rows, count(DISTINCT dbname) AS sources,
                                                    max(time) AS newest FROM public.%I', metric, metric), ' UNION ALL ')
                                   || ' ORDER BY metric'
                   FROM (SELECT DISTINCT metric FROM admin.all_distinct_dbname_metrics) AS m
                   WHERE to_regclass(format('public.%I', metric)) IS NOT NULL" >"$DEMO_DIR/tables.sql"
psql_demo -f "$DEMO_DIR/tables.sql"

cat <<MSG

The hub is running. Point pgwatch at it with:

  --sink='$SINK'

CA certificate: $DEMO_DIR/ca.pem (the hub's certificate; pgwatch trusts only this file)

sink status:    SELECT * FROM rpc_stat_sinks;   (in psql)
psql into it:   runuser -u postgres -- psql -h $DEMO_DIR -p $PG_PORT postgres
server log:     $DEMO_DIR/server.log
send more:      $PG_BINDIR/pgwatch-rpc send --sink '$SINK' --count 1000
stop it:        runuser -u postgres -- $PG_BINDIR/pg_ctl -D $DATA stop
MSG
