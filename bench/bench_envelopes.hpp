// Pgwatch-shaped MeasurementEnvelopes for the ingest benchmarks, built and serialized once
// before any clock starts so that generating them never shows up in a figure. Shared by
// ingest_bench (sent over gRPC) and db_ceiling (written straight into PostgreSQL), so both
// measure the same bytes. Header-only: bench/CMakeLists.txt turns every .cpp into a program.
//
// The size mix follows issue #2: 80% of envelopes carry 1–5 rows, 17% carry 20–100 and 3%
// carry 300–500. Rows look like pgwatch's (DESIGN.md §2): every number is a double, epoch_ns
// is ~1.8e18, 10–20 numeric fields and a few tag_* strings per row.
#pragma once

#include "pgwatch.pb.h"

#include <google/protobuf/struct.pb.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace pgwatch_rpc::bench {

struct Envelope {
	std::string bytes; // the serialized MeasurementEnvelope, sent and stored as is
	std::string dbname;
	std::string metric;
	int nrows = 0;
};

struct MetricShape {
	const char *name;
	std::vector<const char *> tags;
	std::vector<const char *> numbers;
};

// Metrics that report one or a few rows per source (instance-wide views).
inline const std::vector<MetricShape> &SmallMetrics() {
	static const std::vector<MetricShape> shapes = {
	    {"db_stats",
	     {"tag_datname"},
	     {"numbackends", "xact_commit", "xact_rollback", "blks_read", "blks_hit", "tup_returned",
	      "tup_fetched", "tup_inserted", "tup_updated", "tup_deleted", "conflicts", "temp_files",
	      "temp_bytes", "deadlocks", "blk_read_time", "blk_write_time", "postmaster_uptime_s"}},
	    {"wal",
	     {"tag_timeline", "tag_in_recovery"},
	     {"xlog_location_b", "wal_records", "wal_fpi", "wal_bytes", "wal_buffers_full", "wal_write",
	      "wal_sync", "wal_write_time", "wal_sync_time", "last_replay_s"}},
	    {"bgwriter",
	     {"tag_cluster"},
	     {"checkpoints_timed", "checkpoints_req", "checkpoint_write_time", "checkpoint_sync_time",
	      "buffers_checkpoint", "buffers_clean", "maxwritten_clean", "buffers_backend",
	      "buffers_backend_fsync", "buffers_alloc", "stats_reset_s"}},
	    {"backends",
	     {"tag_datname", "tag_state", "tag_application_name"},
	     {"total", "active", "idle", "idleintransaction", "waiting", "longest_session_seconds",
	      "longest_tx_seconds", "longest_query_seconds", "avg_query_seconds", "max_connections",
	      "background_workers", "autovacuum_workers"}},
	    {"locks",
	     {"tag_locktype", "tag_mode"},
	     {"count", "granted", "waiting", "fastpath", "oldest_wait_s", "relation_locks", "transactionid_locks",
	      "advisory_locks", "tuple_locks", "virtualxid_locks"}},
	    {"cpu_load",
	     {"tag_host", "tag_cpu_model"},
	     {"load_1min", "load_5min", "load_15min", "cpu_user", "cpu_system", "cpu_iowait", "cpu_idle",
	      "cpu_steal", "context_switches", "interrupts", "procs_running", "procs_blocked"}},
	    {"replication",
	     {"tag_application_name", "tag_client_addr", "tag_state"},
	     {"sent_lag_b", "write_lag_b", "flush_lag_b", "replay_lag_b", "write_lag_ms", "flush_lag_ms",
	      "replay_lag_ms", "sync_priority", "is_sync_int", "backend_xmin_age", "reply_age_s"}},
	    {"db_size",
	     {"tag_datname", "tag_tablespace"},
	     {"size_b", "catalog_size_b", "toast_size_b", "indexes_size_b", "tables_size_b", "temp_files_size_b",
	      "wal_size_b", "xid_age", "mxid_age", "largest_table_b"}},
	};
	return shapes;
}

// Metrics with one row per table, index, statement or function.
inline const std::vector<MetricShape> &LargeMetrics() {
	static const std::vector<MetricShape> shapes = {
	    {"table_stats",
	     {"tag_schema", "tag_table_name", "tag_table_full_name"},
	     {"table_size_b",
	      "total_relation_size_b",
	      "toast_size_b",
	      "seconds_since_last_vacuum",
	      "seconds_since_last_analyze",
	      "no_autovacuum",
	      "seq_scan",
	      "seq_tup_read",
	      "idx_scan",
	      "idx_tup_fetch",
	      "n_tup_ins",
	      "n_tup_upd",
	      "n_tup_del",
	      "n_tup_hot_upd",
	      "n_live_tup",
	      "n_dead_tup",
	      "vacuum_count",
	      "autovacuum_count",
	      "analyze_count",
	      "tx_freeze_age"}},
	    {"index_stats",
	     {"tag_schema", "tag_table_name", "tag_index_name"},
	     {"index_size_b", "idx_scan", "idx_tup_read", "idx_tup_fetch", "idx_blks_read", "idx_blks_hit",
	      "is_invalid_int", "is_pk_int", "is_unique_int", "index_columns", "bloat_pct",
	      "seconds_since_created"}},
	    {"stat_statements",
	     {"tag_queryid", "tag_user", "tag_query"},
	     {"calls", "total_plan_time", "total_exec_time", "mean_exec_time", "stddev_exec_time", "rows",
	      "shared_blks_hit", "shared_blks_read", "shared_blks_dirtied", "shared_blks_written",
	      "local_blks_hit", "temp_blks_read", "temp_blks_written", "blk_read_time", "blk_write_time",
	      "wal_records", "wal_bytes", "wal_fpi"}},
	    {"sproc_stats",
	     {"tag_schema", "tag_function_name", "tag_function_full_name"},
	     {"sp_calls", "self_time", "total_time", "mean_time", "calls_delta", "total_time_delta",
	      "self_time_delta", "max_time", "min_time", "argument_count"}},
	    {"table_io_stats",
	     {"tag_schema", "tag_table_name"},
	     {"heap_blks_read", "heap_blks_hit", "idx_blks_read", "idx_blks_hit", "toast_blks_read",
	      "toast_blks_hit", "tidx_blks_read", "tidx_blks_hit", "heap_hit_ratio", "idx_hit_ratio",
	      "toast_hit_ratio", "seq_scan_ratio", "total_reads", "total_hits"}},
	};
	return shapes;
}

// TagValue picks a plausible value for a tag column; row varies names within an envelope.
inline std::string TagValue(const std::string &tag, int row, std::mt19937_64 &rng) {
	static const char *const kSchemas[] = {"public", "app", "billing", "audit", "reporting"};
	static const char *const kStates[] = {"active", "idle", "idle in transaction", "streaming"};
	if (tag == "tag_schema")
		return kSchemas[rng() % 5];
	if (tag == "tag_state")
		return kStates[rng() % 4];
	if (tag == "tag_query")
		return "SELECT o.id, o.total FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = $" +
		       std::to_string(row % 7 + 1);
	if (tag == "tag_queryid")
		return std::to_string(rng() >> 1);
	if (tag == "tag_client_addr")
		return "10.0." + std::to_string(rng() % 256) + "." + std::to_string(rng() % 256);
	// Strip "tag_" and number the object, as pgwatch rows name tables, indexes and functions.
	return tag.substr(4) + "_" + std::to_string(row);
}

// NumberValue draws a counter-, size- or ratio-like double.
inline double NumberValue(std::mt19937_64 &rng) {
	switch (rng() % 4) {
	case 0:
		return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
	case 1:
		return std::floor(std::uniform_real_distribution<double>(0.0, 1000.0)(rng));
	case 2:
		return std::floor(std::uniform_real_distribution<double>(0.0, 1e9)(rng));
	default:
		return std::uniform_real_distribution<double>(0.0, 1e5)(rng);
	}
}

// RowCount draws the number of rows of envelope class cls (0 small, 1 medium, 2 large).
inline int RowCount(int cls, std::mt19937_64 &rng) {
	if (cls == 0)
		return std::uniform_int_distribution<int>(1, 5)(rng);
	if (cls == 1)
		return std::uniform_int_distribution<int>(20, 100)(rng);
	return std::uniform_int_distribution<int>(300, 500)(rng);
}

// MakeEnvelopes builds count envelopes from seed, serialized. Classes are dealt exactly 80/17/3
// per hundred and then shuffled, so any pool of 100 or more has the intended mix.
inline std::vector<Envelope> MakeEnvelopes(size_t count, uint64_t seed) {
	std::mt19937_64 rng(seed);
	std::vector<int> classes(count);
	for (size_t i = 0; i < count; i++) {
		size_t k = i % 100;
		classes[i] = k < 80 ? 0 : (k < 97 ? 1 : 2);
	}
	std::shuffle(classes.begin(), classes.end(), rng);

	std::vector<Envelope> out;
	out.reserve(count);
	const double kEpochBase = 1.8e18;
	for (size_t i = 0; i < count; i++) {
		int cls = classes[i];
		const auto &shapes = cls == 0 ? SmallMetrics() : LargeMetrics();
		const MetricShape &shape = shapes[rng() % shapes.size()];
		MeasurementEnvelope env;
		env.set_dbname("prod-db-" + std::to_string(rng() % 40));
		env.set_metricname(shape.name);
		auto &custom = *env.mutable_customtags();
		custom["env"] = "production";
		custom["dc"] = (rng() % 2) ? "eu-west-1" : "us-east-2";
		custom["team"] = "payments";
		int nrows = RowCount(cls, rng);
		// pgwatch stamps every row of one measurement with the same epoch, sent as a double.
		double epoch_ns = kEpochBase + static_cast<double>(i) * 6e10;
		for (int r = 0; r < nrows; r++) {
			auto &fields = *env.add_data()->mutable_fields();
			fields["epoch_ns"].set_number_value(epoch_ns);
			for (const char *tag : shape.tags)
				fields[tag].set_string_value(TagValue(tag, r, rng));
			for (const char *number : shape.numbers)
				fields[number].set_number_value(NumberValue(rng));
		}
		Envelope e;
		env.SerializeToString(&e.bytes);
		e.dbname = env.dbname();
		e.metric = env.metricname();
		e.nrows = nrows;
		out.push_back(std::move(e));
	}
	return out;
}

} // namespace pgwatch_rpc::bench
