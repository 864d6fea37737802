#!/bin/bash
# run_sink.sh: the postgres sink benchmark of issue #3 in one run, printed as a table with the
# target and whether it is met. Run as root after `make install` (the extension) with the
# bench programs built:
#
#   bench/run_sink.sh [--rows N] [BUILD_DIR]   (default 1000000 rows, about 3.5 min on this busy
#                                              2-core machine; --rows 100000 takes about 40 s)
#
# It starts a scratch PostgreSQL 15 cluster as the postgres user (initdb in a mktemp dir, unix
# socket in that dir, the extension preloaded with pgwatch_rpc.max_sinks = 0 so the launcher
# starts no delivery child of its own), adds the postgres sink (local: pgwatch's schema in the
# hub database), then:
#  1. sink_backlog stores a backlog of N rows of pgwatch-shaped envelopes in the spool under
#     a listener of its own (the sink was added before, so its cursor for it is at 0);
#  2. sink_drain runs BUILD_DIR/pgwatch-rpc deliver postgres by hand until the cursor reaches
#     the backlog's end: rows/s, the child's peak RSS, its CPU and its backends' CPU;
#  3. sink_ceiling copies the very rows the sink wrote back into the same (truncated) tables
#     with a plain COPY: the ceiling, and the ratio against it (target >= 60%);
#  4. sink_stages: the child's own CPU per row, step by step, without a database.
# Every process it starts and the scratch directory are removed on exit.
# Environment: PG_PORT (27020), HUB_PORT (26020), PGWATCH_RPC (BUILD_DIR/pgwatch-rpc: the
# delivery binary measured), PERF_DATA (a file: record the whole machine with perf during the
# drain and print the top symbols of the delivery child and of its backends; Debian strips
# the server binary, so its static functions show as addresses).
set -euo pipefail

PG_BIN=/usr/lib/postgresql/15/bin
HERE=$(cd "$(dirname "$0")" && pwd)
ROWS=1000000
if [ "${1:-}" = --rows ]; then
	ROWS=${2:?--rows needs a number}
	shift 2
fi
BUILD_DIR=${1:-$HERE/../build}
BENCH_BIN=$(cd "$BUILD_DIR/bench" && pwd)
PGWATCH_RPC=${PGWATCH_RPC:-$(cd "$BUILD_DIR" && pwd)/pgwatch-rpc}
PG_PORT=${PG_PORT:-27020}
HUB_PORT=${HUB_PORT:-26020}
PERF_DATA=${PERF_DATA:-}
TARGET_RATIO=0.60

die() {
	echo "run_sink: $*" >&2
	exit 1
}

[ "$(id -u)" = 0 ] || die "run as root (the cluster runs as the postgres user)"
[[ $ROWS =~ ^[1-9][0-9]*$ ]] || die "--rows wants a positive number of rows"
for prog in sink_backlog sink_drain sink_ceiling sink_stages; do
	[ -x "$BENCH_BIN/$prog" ] || die "$BENCH_BIN/$prog is missing: build the bench targets first"
done
[ -x "$PGWATCH_RPC" ] || die "$PGWATCH_RPC is missing: build it, or set PGWATCH_RPC"
[ -f /usr/share/postgresql/15/extension/pgwatch_rpc.control ] || die "the extension is not installed: run make install first"
[ -z "$PERF_DATA" ] || command -v perf >/dev/null || die "PERF_DATA is set but perf is not installed (apt-get install linux-perf)"

SCRATCH=$(mktemp -d /tmp/pgwatch_rpc_sink_bench.XXXXXX)
chown postgres: "$SCRATCH"
chmod 700 "$SCRATCH"
PGDATA=$SCRATCH/data
RESULTS=$SCRATCH/results
mkdir -p "$RESULTS"
PG_STARTED=
PERF_PID=

cleanup() {
	set +e
	if [ -n "$PERF_PID" ]; then
		kill -INT "$PERF_PID" 2>/dev/null
		wait "$PERF_PID" 2>/dev/null
	fi
	if [ -n "$PG_STARTED" ]; then
		runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PGDATA" -m immediate -w stop >/dev/null 2>&1
	fi
	rm -rf "$SCRATCH"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# json_get FILE KEY: one value from a JSON object a bench program printed.
json_get() {
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$@"
}

DSN="host=$SCRATCH port=$PG_PORT dbname=postgres user=postgres"
psql_q() {
	runuser -u postgres -- "$PG_BIN/psql" -h "$SCRATCH" -p "$PG_PORT" -d postgres -XAtq -v ON_ERROR_STOP=1 -c "$1"
}

echo "== setting up a scratch cluster in $SCRATCH" >&2
runuser -u postgres -- "$PG_BIN/initdb" -D "$PGDATA" -A trust -U postgres >/dev/null
cat >>"$PGDATA/postgresql.conf" <<EOF
listen_addresses = ''
port = $PG_PORT
unix_socket_directories = '$SCRATCH'
# pg_stat_statements splits the backends' time between the drain's statements.
shared_preload_libraries = 'pgwatch_rpc, pg_stat_statements'
pgwatch_rpc.port = $HUB_PORT
pgwatch_rpc.listen_addresses = '127.0.0.1'
# Delivery is started by hand below (sink_drain), not by the launcher.
pgwatch_rpc.max_sinks = 0
# Bulk writes without forced checkpoints, for the drain and the ceiling alike.
max_wal_size = '8GB'
EOF
runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$SCRATCH/server.log" -w start >/dev/null
PG_STARTED=1
psql_q "CREATE EXTENSION pgwatch_rpc"
psql_q "CREATE EXTENSION pg_stat_statements"
# Added before the backlog exists: the sink's cursor for the backlog's listener starts at 0.
psql_q "SELECT rpc_sink_add('postgres')" >/dev/null

echo "== storing a backlog of $ROWS rows in the spool" >&2
"$BENCH_BIN/sink_backlog" --dsn "$DSN" --rows "$ROWS" --json >"$RESULTS/backlog.json"
# As autovacuum would have done to a backlog that built up over time; then a clean start.
psql_q "VACUUM ANALYZE pgwatch_rpc.spool"
psql_q "CHECKPOINT"
psql_q "SELECT pg_stat_statements_reset()" >/dev/null

echo "== draining it with $PGWATCH_RPC deliver postgres" >&2
if [ -n "$PERF_DATA" ]; then
	perf record -a -F 499 -o "$PERF_DATA" >"$SCRATCH/perf.log" 2>&1 &
	PERF_PID=$!
	sleep 1
fi
"$BENCH_BIN/sink_drain" --dsn "$DSN" --binary "$PGWATCH_RPC" --sink postgres \
	--child-log "$SCRATCH/deliver.log" --json >"$RESULTS/drain.json" ||
	die "the drain failed; the child's log: $(tail -5 "$SCRATCH/deliver.log")"
if [ -n "$PERF_PID" ]; then
	kill -INT "$PERF_PID"
	wait "$PERF_PID" || true
	PERF_PID=
fi
DRAINED_ROWS=$(json_get "$RESULTS/drain.json" rows)
DEAD_LETTERS=$(psql_q "SELECT count(*) FROM pgwatch_rpc.dead_letters")
# The time the drain's statements took inside the server, by kind, and how many spool rows
# its reads returned (against the envelopes delivered: what was read more than once).
psql_q "SELECT json_object_agg(kind, json_build_object('seconds', seconds, 'rows', rows)) FROM (
	SELECT CASE WHEN query LIKE 'COPY public.%' THEN 'copy'
	            WHEN query LIKE 'SELECT seq, %FROM pgwatch_rpc.spool WHERE listener_id%' THEN 'spool_read'
	            WHEN query ~ 'ensure_partition_metric_time|ensure_dummy_metrics_table|^CREATE TABLE subpartitions'
	                 THEN 'partitions'
	            ELSE 'other' END AS kind,
	       sum(total_exec_time) / 1000 AS seconds, sum(rows) AS rows
	FROM pg_stat_statements
	WHERE query !~ 'pg_stat_activity|pgwatch_rpc.listeners AS l|pg_stat_statements_reset'
	GROUP BY 1) AS k" >"$RESULTS/statements.json"

echo "== the ceiling: the same rows with a plain COPY" >&2
"$BENCH_BIN/sink_ceiling" --dsn "$DSN" --expect-rows "$DRAINED_ROWS" --json >"$RESULTS/ceiling.json"

echo "== the child's own CPU per row, step by step" >&2
"$BENCH_BIN/sink_stages" --rows "$((ROWS < 200000 ? ROWS : 200000))" --json >"$RESULTS/stages.json"

python3 - "$RESULTS" "$TARGET_RATIO" "$DEAD_LETTERS" "$PGWATCH_RPC" <<'EOF'
import json, os, sys

results, target, dead_letters, binary = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4]
r = {name: json.load(open(os.path.join(results, name + ".json"))) for name in ("backlog", "drain", "ceiling", "stages", "statements")}
b, d, c, s, st = r["backlog"], r["drain"], r["ceiling"], r["stages"], r["statements"]
ratio = d["rows_per_s"] / c["rows_per_s"]

print("pgwatch_rpc postgres sink benchmark: a backlog of %d envelopes / %d rows (%.0f MB of protobuf payload,"
      " issue #2's 80/17/3 mix) in the spool," % (b["envelopes"], b["rows"], b["payload_bytes"] / 1e6))
print("drained by one `%s deliver postgres` (local: pgwatch's schema in the hub database, default batch"
      " bounds) into %d metric tables" % (binary, c["tables"]))
print()
print("  %-34s %9s %9s %10s %7s %12s" % ("", "rows", "seconds", "rows/s", "ratio", "peak RSS"))
print("  %-34s %9d %9.2f %10.0f %6.0f%% %8.1f MiB" % (
    "postgres sink, drain", d["rows"], d["seconds"], d["rows_per_s"], 100 * ratio, d["peak_rss_kb"] / 1024.0))
print("  %-34s %9d %9.2f %10.0f %6.0f%%" % ("plain COPY of the same rows", c["rows"], c["seconds"], c["rows_per_s"], 100))
print()
busy = d["child_cpu_s"] + d["child_runqueue_s"] + d["backend_cpu_s"] + d["backend_runqueue_s"]
print("where the drain's %.1f s went (the child and its backends take turns: it maps a batch, then the server"
      " stores it):" % d["seconds"])
print("  delivery child      on CPU %6.1f s   waiting for a CPU %6.1f s" % (d["child_cpu_s"], d["child_runqueue_s"]))
print("  its server backends on CPU %6.1f s   waiting for a CPU %6.1f s" % (d["backend_cpu_s"], d["backend_runqueue_s"]))
print("  wall minus these: %.1f s (I/O and commit waits, start-up: first batch after %.2f s; below zero where"
      " the two sides overlapped)" % (d["seconds"] - busy, d["first_batch_seconds"]))
def server(kind):
    return st.get(kind, {"seconds": 0, "rows": 0})
print("  its statements inside the server (pg_stat_statements, wall time): COPY %.1f s, spool reads %.1f s"
      " (%d rows returned for %d envelopes delivered: %.1fx), partitions %.1f s, the rest %.1f s" % (
          server("copy")["seconds"], server("spool_read")["seconds"], server("spool_read")["rows"], d["envelopes"],
          server("spool_read")["rows"] / d["envelopes"], server("partitions")["seconds"], server("other")["seconds"]))
print("the ceiling's %.1f s: its backend on CPU %.1f s, waiting for a CPU %.1f s (%.0f bytes of COPY text per row)" % (
    c["seconds"], c["backend_cpu_s"], c["backend_runqueue_s"], c["copy_bytes"] / c["rows"]))
cpu_ratio = c["backend_cpu_s"] / (d["child_cpu_s"] + d["backend_cpu_s"])
print("CPU time per row: drain %.1f us (child %.1f + backends %.1f), ceiling %.1f us: ratio %.0f%%, what the"
      " rates' ratio tends to on an idle machine" % (
          1e6 * (d["child_cpu_s"] + d["backend_cpu_s"]) / d["rows"], 1e6 * d["child_cpu_s"] / d["rows"],
          1e6 * d["backend_cpu_s"] / d["rows"], 1e6 * c["backend_cpu_s"] / c["rows"], 100 * cpu_ratio))
names = s.get("stage_names", ("payload to protojson text", "parse into nlohmann::json",
                               "MapEnvelope (data, tag_data)", "AppendCopyLine (COPY text)"))
print("the child's mapping per row (sink_stages, %d rows, no database): %.2f us = %.0f rows/s per core" % (
    s["rows"], s["us_per_row"], s["rows_per_core_s"]))
for name, us in zip(names, s["stages_us_per_row"]):
    print("  %-30s %6.2f us/row %5.1f%%" % (name, us, 100 * us / s["us_per_row"]))
print("dead letters: %s" % dead_letters)
print()
print("target: delivered %.0f rows/s >= %.0f%% of the plain COPY's %.0f rows/s = %.0f rows/s: %s (%.0f%%)" % (
    d["rows_per_s"], 100 * target, c["rows_per_s"], target * c["rows_per_s"],
    "MET" if ratio >= target else "NOT MET", 100 * ratio))
EOF

if [ -n "$PERF_DATA" ]; then
	echo
	echo "perf, during the drain: top symbols by self time (percent of each side's samples)"
	for side in "delivery child:child_pid" "its server backends:backend_pids"; do
		echo "-- ${side%%:*}"
		perf report -i "$PERF_DATA" --pid "$(json_get "$RESULTS/drain.json" "${side#*:}")" --percentage relative \
			--no-children --sort dso,sym --percent-limit 1.5 --stdio 2>/dev/null | grep -E '^ +[0-9]' | cut -c1-160 | head -25
	done
fi
