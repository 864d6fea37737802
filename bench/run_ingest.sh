#!/bin/bash
# run_ingest.sh: the ingest benchmark of issue #2 in one run, printed as a table with the
# targets and whether each is met. Run as root after `make install` (the extension and
# /usr/lib/postgresql/15/bin/pgwatch-rpc) with the bench programs built:
#
#   bench/run_ingest.sh [BUILD_DIR]        (default: build; programs in BUILD_DIR/bench)
#
# It starts a scratch PostgreSQL 15 cluster as the postgres user (initdb in a mktemp dir, unix
# socket in that dir, the extension preloaded), then measures on 127.0.0.1 only:
#  (a) one connection, one call in flight (pgwatch's own pattern): hub durable, hub fast and
#      the null server, all over TLS; pg_test_fsync's fdatasync figure beside them;
#  (b) 4 connections x 16 in flight: hub durable over TLS and plaintext, null server over TLS
#      and plaintext; and db_ceiling (same envelopes straight into a spool-like table with a
#      multi-row INSERT, COPY BINARY and the listener's INSERT … SELECT unnest shape).
# Every process it starts and the scratch directory are removed on exit.
# Environment: SECONDS_PER_RUN (10), WARMUP (2), CEILING_SECONDS (8), PG_PORT (27010),
# HUB_PORT (26010), NULL_PORT (26011).
set -euo pipefail

PG_BIN=/usr/lib/postgresql/15/bin
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD_DIR=${1:-$HERE/../build}
BENCH_BIN=$(cd "$BUILD_DIR/bench" && pwd)
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
WARMUP=${WARMUP:-2}
CEILING_SECONDS=${CEILING_SECONDS:-8}
PG_PORT=${PG_PORT:-27010}
HUB_PORT=${HUB_PORT:-26010}
NULL_PORT=${NULL_PORT:-26011}

die() {
	echo "run_ingest: $*" >&2
	exit 1
}

[ "$(id -u)" = 0 ] || die "run as root (the cluster runs as the postgres user)"
for prog in ingest_bench db_ceiling null_server; do
	[ -x "$BENCH_BIN/$prog" ] || die "$BENCH_BIN/$prog is missing: build the bench targets first"
done
[ -x "$PG_BIN/pgwatch-rpc" ] || die "$PG_BIN/pgwatch-rpc is missing: run make install first"

SCRATCH=$(mktemp -d /tmp/pgwatch_rpc_bench.XXXXXX)
chown postgres: "$SCRATCH"
chmod 700 "$SCRATCH"
PGDATA=$SCRATCH/data
RESULTS=$SCRATCH/results
mkdir -p "$RESULTS"
NULL_PID=
PG_STARTED=

cleanup() {
	set +e
	if [ -n "$NULL_PID" ]; then
		kill "$NULL_PID" 2>/dev/null
		wait "$NULL_PID" 2>/dev/null
	fi
	if [ -n "$PG_STARTED" ]; then
		runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PGDATA" -m immediate -w stop >/dev/null 2>&1
	fi
	rm -rf "$SCRATCH"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

psql_q() {
	runuser -u postgres -- "$PG_BIN/psql" -h "$SCRATCH" -p "$PG_PORT" -d postgres -XAtq -v ON_ERROR_STOP=1 -c "$1"
}

# json_get FILE KEY…: one value from a JSON object written by ingest_bench or db_ceiling.
json_get() {
	python3 -c 'import json,sys
v=json.load(open(sys.argv[1]))
for k in sys.argv[2:]: v=v[k]
print(v)' "$@"
}

# wait_for DESCRIPTION SECONDS COMMAND…: retry COMMAND every 0.2 s until it succeeds.
wait_for() {
	local what=$1 limit=$2
	shift 2
	local i
	for ((i = 0; i < limit * 5; i++)); do
		if "$@" >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.2
	done
	die "timed out after ${limit}s waiting for $what (server log: $SCRATCH/server.log)"
}

port_open() {
	timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

# listener_pid: the `pgwatch-rpc listen` child of this cluster's launcher (a child of our
# postmaster), not any other cluster's.
listener_pid() {
	local postmaster pid parent grandparent
	postmaster=$(head -1 "$PGDATA/postmaster.pid")
	for pid in $(pgrep -f 'pgwatch-rpc listen' || true); do
		parent=$(ps -o ppid= -p "$pid" | tr -d ' ')
		[ -n "$parent" ] || continue
		grandparent=$(ps -o ppid= -p "$parent" | tr -d ' ')
		if [ "$grandparent" = "$postmaster" ]; then
			echo "$pid"
			return 0
		fi
	done
	return 1
}

# vm_hwm_kb PID: the process's peak resident set size in kB.
vm_hwm_kb() {
	awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0
}

LISTENER_HWM_KB=0
note_listener_hwm() {
	local pid kb
	pid=$(listener_pid) || return 0
	kb=$(vm_hwm_kb "$pid")
	if [ "${kb:-0}" -gt "$LISTENER_HWM_KB" ]; then
		LISTENER_HWM_KB=$kb
	fi
}

# cpu_ticks PID: user + system CPU time the process has used, in clock ticks.
cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0
}
CLK_TCK=$(getconf CLK_TCK)

# drive NAME CONNECTIONS INFLIGHT SERVER_PID INGEST_BENCH_ARGS…: one ingest_bench run, its
# JSON kept as RESULTS/NAME.json and the server process's CPU use (percent of one core,
# warm-up included) as RESULTS/NAME.server_cpu, to show which side is saturated.
drive() {
	local name=$1 connections=$2 inflight=$3 server_pid=$4 t0 t1
	shift 4
	echo "  $name ($connections x $inflight)…" >&2
	t0=$(cpu_ticks "$server_pid")
	"$BENCH_BIN/ingest_bench" "$@" --connections "$connections" --inflight "$inflight" \
		--seconds "$SECONDS_PER_RUN" --warmup-seconds "$WARMUP" --json >"$RESULTS/$name.json"
	t1=$(cpu_ticks "$server_pid")
	awk -v d=$((t1 - t0)) -v hz="$CLK_TCK" -v s="$SECONDS_PER_RUN" -v w="$WARMUP" \
		'BEGIN { printf "%.0f\n", d * 100 / hz / (s + w) }' >"$RESULTS/$name.server_cpu"
}

echo "== setting up a scratch cluster in $SCRATCH" >&2
runuser -u postgres -- "$PG_BIN/initdb" -D "$PGDATA" -A trust -U postgres >/dev/null
# The listener logs in as pgwatch_rpc_listener with a password the launcher sets.
sed -i '1i local all pgwatch_rpc_listener scram-sha-256' "$PGDATA/pg_hba.conf"
cat >>"$PGDATA/postgresql.conf" <<EOF
listen_addresses = ''
port = $PG_PORT
unix_socket_directories = '$SCRATCH'
shared_preload_libraries = 'pgwatch_rpc'
pgwatch_rpc.port = $HUB_PORT
pgwatch_rpc.listen_addresses = '127.0.0.1'
# Both the hub and db_ceiling run under this setting: bulk ingest without forced checkpoints.
max_wal_size = '8GB'
# pg_stat_wal then shows what each WAL flush really cost during the durable runs.
track_wal_io_timing = on
EOF
runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$SCRATCH/server.log" -w start >/dev/null
PG_STARTED=1
psql_q "CREATE EXTENSION pgwatch_rpc"
wait_for "the key file" 30 test -s "$PGDATA/pgwatch_rpc/default.key"
wait_for "the certificate" 30 test -s "$PGDATA/pgwatch_rpc/server.crt"
wait_for "the listener on port $HUB_PORT" 30 port_open "$HUB_PORT"
SECRET=$(tr -d '\n' <"$PGDATA/pgwatch_rpc/default.key")
CERT=$SCRATCH/server.crt
cp "$PGDATA/pgwatch_rpc/server.crt" "$CERT"
KEY=$SCRATCH/server.key
cp "$PGDATA/pgwatch_rpc/server.key" "$KEY"
HUB_AUTH=(--user default --password "$SECRET")

echo "== pg_test_fsync on the data directory's file system (~30 s)" >&2
FSYNC_OPS=$("$PG_BIN/pg_test_fsync" -s 2 -f "$PGDATA/pg_test_fsync.tmp" 2>&1 |
	awk '$1 == "fdatasync" && $2 ~ /^[0-9.]+$/ { print $2; exit }')
rm -f "$PGDATA/pg_test_fsync.tmp"
[ -n "$FSYNC_OPS" ] || die "could not read fdatasync ops/sec from pg_test_fsync"

echo "== null server" >&2
start_null() {
	"$BENCH_BIN/null_server" --address 127.0.0.1 --port "$NULL_PORT" "$@" >"$SCRATCH/null.log" 2>&1 &
	NULL_PID=$!
	wait_for "the null server" 15 grep -q "listening on" "$SCRATCH/null.log"
}
stop_null() {
	local kb
	kb=$(vm_hwm_kb "$NULL_PID")
	if [ "${kb:-0}" -gt "${NULL_HWM_KB:-0}" ]; then
		NULL_HWM_KB=$kb
	fi
	kill "$NULL_PID"
	wait "$NULL_PID" 2>/dev/null || true
	NULL_PID=
}
NULL_HWM_KB=0
start_null --tls-cert "$CERT" --tls-key "$KEY"
drive null_c1_tls 1 1 "$NULL_PID" --target "127.0.0.1:$NULL_PORT" --ca "$CERT" "${HUB_AUTH[@]}"
drive null_c4_tls 4 16 "$NULL_PID" --target "127.0.0.1:$NULL_PORT" --ca "$CERT" "${HUB_AUTH[@]}"
stop_null
start_null
drive null_c4_plain 4 16 "$NULL_PID" --target "127.0.0.1:$NULL_PORT" --plaintext "${HUB_AUTH[@]}"
stop_null

echo "== hub, ack durable, TLS" >&2
psql_q "SELECT pg_stat_reset_shared('wal')" >/dev/null
drive hub_c1_durable 1 1 "$(listener_pid)" --target "127.0.0.1:$HUB_PORT" --ca "$CERT" "${HUB_AUTH[@]}"
WAL_SYNC=$(psql_q "SELECT wal_sync || ' ' || round(wal_sync_time::numeric, 3) FROM pg_stat_wal")
drive hub_c4_tls 4 16 "$(listener_pid)" --target "127.0.0.1:$HUB_PORT" --ca "$CERT" "${HUB_AUTH[@]}"
note_listener_hwm

echo "== hub, ack fast, TLS" >&2
psql_q "ALTER SYSTEM SET pgwatch_rpc.ack = 'fast'"
psql_q "SELECT pg_reload_conf()" >/dev/null
sleep 2 # the launcher passes the new ack mode to the listener on SIGHUP
drive hub_c1_fast 1 1 "$(listener_pid)" --target "127.0.0.1:$HUB_PORT" --ca "$CERT" "${HUB_AUTH[@]}"
note_listener_hwm
psql_q "ALTER SYSTEM RESET pgwatch_rpc.ack"

echo "== hub, ack durable, plaintext" >&2
OLD_LISTENER=$(listener_pid || true)
psql_q "ALTER SYSTEM SET pgwatch_rpc.tls = off"
psql_q "SELECT pg_reload_conf()" >/dev/null
# Changing tls restarts the listener: wait for a new process serving on the port.
listener_replaced() {
	local pid
	pid=$(listener_pid) && [ "$pid" != "$OLD_LISTENER" ] && port_open "$HUB_PORT"
}
wait_for "the listener to restart in plaintext" 30 listener_replaced
drive hub_c4_plain 4 16 "$(listener_pid)" --target "127.0.0.1:$HUB_PORT" --plaintext "${HUB_AUTH[@]}"
note_listener_hwm
# Every call the hub acknowledged must be in the spool (a durability sanity check, not timing).
SPOOL=$(psql_q "SELECT count(*) || ' ' || coalesce(sum(nrows), 0) FROM pgwatch_rpc.spool WHERE kind = 'measurement'")
LISTENER_THREADS=$(awk '/^Threads:/ { print $2 }' "/proc/$(listener_pid)/status" 2>/dev/null || echo "?")

echo "== db ceiling (no gRPC)" >&2
for c in 1 2; do
	echo "  db_ceiling, $c connection(s)…" >&2
	"$BENCH_BIN/db_ceiling" --dsn "host=$SCRATCH port=$PG_PORT dbname=postgres user=postgres" \
		--connections "$c" --seconds "$CEILING_SECONDS" --json >"$RESULTS/ceiling_c$c.json"
done

# The report: every figure from the JSON files, the targets and whether each is met.
python3 - "$RESULTS" "$FSYNC_OPS" "$LISTENER_HWM_KB" "$NULL_HWM_KB" "$LISTENER_THREADS" \
	"$SECONDS_PER_RUN" "$WARMUP" "$SPOOL" "$WAL_SYNC" <<'EOF'
import json, os, sys

results, fsync_ops, listener_kb, null_kb, threads, secs, warmup, spool, wal_sync = sys.argv[1:]
fsync_ms = 1000.0 / float(fsync_ops)
r = {}
for f in os.listdir(results):
    name, ext = os.path.splitext(f)
    if ext == ".json":
        r[name] = json.load(open(os.path.join(results, f)))
for name in list(r):
    cpu = os.path.join(results, name + ".server_cpu")
    if os.path.exists(cpu):
        r[name]["server_cpu_pct"] = float(open(cpu).read())

def errors(run):
    if not run["errors"]:
        return "none"
    return ", ".join("%s %d" % (code, e["count"]) for code, e in run["errors"].items())

print("pgwatch_rpc ingest benchmark: %s s per run after %s s warm-up, 127.0.0.1; envelopes 80%% 1-5 rows,"
      " 17%% 20-100, 3%% 300-500 (~24 rows, ~13 kB on average)" % (secs, warmup))
print("CPU columns: percent of one core used by the server process (listener or null server, warm-up"
      " included) and by the client")
print()
print("(a) one connection, one call in flight (pgwatch's pattern), TLS")
print("  %-24s %9s %8s %8s %9s %6s %6s  %s" % ("server", "calls/s", "p50 ms", "p99 ms", "rows/s", "srvCPU",
                                             "client", "errors"))
for name, label in (("null_c1_tls", "null server"), ("hub_c1_durable", "hub, ack durable"),
                    ("hub_c1_fast", "hub, ack fast")):
    x = r[name]
    print("  %-24s %9.0f %8.3f %8.3f %9.0f %5.0f%% %5.0f%%  %s" % (
        label, x["calls_per_s"], x["p50_ms"], x["p99_ms"], x["rows_per_s"], x.get("server_cpu_pct", 0),
        x["client_cpu_pct"], errors(x)))
print("  pg_test_fsync on the data directory: fdatasync %.1f ops/s = %.3f ms per flush" % (
    float(fsync_ops), fsync_ms))
syncs, sync_ms = wal_sync.split()
print("  PostgreSQL's WAL flushes during the durable run (pg_stat_wal): %s, %.3f ms each on average" % (
    syncs, float(sync_ms) / max(int(syncs), 1)))
print()
print("(b) 4 connections x 16 in flight")
print("  %-24s %9s %10s %7s %8s %8s %6s %6s  %s" % ("server", "calls/s", "rows/s", "MB/s", "p50 ms", "p99 ms",
                                                  "srvCPU", "client", "errors"))
for name, label in (("null_c4_tls", "null server, TLS"), ("null_c4_plain", "null server, plaintext"),
                    ("hub_c4_tls", "hub durable, TLS"), ("hub_c4_plain", "hub durable, plaintext")):
    x = r[name]
    print("  %-24s %9.0f %10.0f %7.1f %8.3f %8.3f %5.0f%% %5.0f%%  %s" % (
        label, x["calls_per_s"], x["rows_per_s"], x["mb_per_s"], x["p50_ms"], x["p99_ms"],
        x.get("server_cpu_pct", 0), x["client_cpu_pct"], errors(x)))
print()
ceilings = [r[c] for c in ("ceiling_c1", "ceiling_c2")]
print("db ceiling, no gRPC: the same envelope bytes into a %s spool-like table (payload lz4), %d envelopes"
      " per transaction, synchronous_commit on" % (ceilings[0]["table"], ceilings[0]["envelopes_per_txn"]))
print("  %-24s %9s %10s %7s" % ("method", "env/s", "rows/s", "MB/s"))
best = None
for x in ceilings:
    for mode, m in x["modes"].items():
        method = {"insert": "multi-row INSERT", "copy": "COPY BINARY", "unnest": "INSERT…unnest"}[mode]
        label = "%s, %d conn" % (method, x["connections"])
        print("  %-24s %9.0f %10.0f %7.1f" % (label, m["envelopes_per_s"], m["rows_per_s"], m["mb_per_s"]))
        if best is None or m["rows_per_s"] > best[1]:
            best = (label, m["rows_per_s"])
print()
c = r["null_c4_tls"]
print("client cost: %.1f us CPU per call against the null server at 4x16 over TLS: one client core drives"
      " ~%.0f calls/s, the null server passed %.0f" % (
          c["client_cpu_us_per_call"], 1e6 / max(c["client_cpu_us_per_call"], 1e-9), c["calls_per_s"]))
print("peak RSS (VmHWM): listener %.1f MiB (threads: %s), null server %.1f MiB" % (
    int(listener_kb) / 1024.0, threads, int(null_kb) / 1024.0))
hub_runs = [r[n] for n in ("hub_c1_durable", "hub_c4_tls", "hub_c1_fast", "hub_c4_plain")]
acked = (sum(x["acked_calls"] for x in hub_runs), sum(x["acked_rows"] for x in hub_runs))
stored = tuple(int(v) for v in spool.split())
print("spool check: the hub acknowledged %d envelopes / %d rows; the spool holds %d / %d: %s" % (
    acked + stored + ("OK" if stored[0] >= acked[0] and stored[1] >= acked[1] else "MISSING DATA",)))
print()
print("targets")
null1, dur1, fast1 = r["null_c1_tls"], r["hub_c1_durable"], r["hub_c1_fast"]
limit = null1["p50_ms"] + fsync_ms + 0.2
def verdict(ok):
    return "MET" if ok else "NOT MET"
print("  (a) durable p50 %.3f ms <= null p50 %.3f + fdatasync %.3f + 0.2 = %.3f ms: %s" % (
    dur1["p50_ms"], null1["p50_ms"], fsync_ms, limit, verdict(dur1["p50_ms"] <= limit)))
print("  (a) fast %.0f calls/s >= 50%% of null %.0f = %.0f calls/s: %s" % (
    fast1["calls_per_s"], null1["calls_per_s"], 0.5 * null1["calls_per_s"],
    verdict(fast1["calls_per_s"] >= 0.5 * null1["calls_per_s"])))
hub = r["hub_c4_tls"]
print("  (b) durable TLS %.0f rows/s >= 70%% of the db ceiling %.0f (%s) = %.0f rows/s: %s" % (
    hub["rows_per_s"], best[1], best[0], 0.7 * best[1], verdict(hub["rows_per_s"] >= 0.7 * best[1])))
EOF
