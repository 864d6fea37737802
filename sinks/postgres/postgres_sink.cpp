// The postgres sink's delivery (see postgres_sink.hpp): decode, map, ensure partitions,
// COPY per metric, SyncMetric bookkeeping, cursor, maintenance.
//
// Why a cursor table and not SINKS.md §1.4's per-batch ledger in remote mode: a ledger keyed
// by the batch's first and last (listener_id, seq) only recognises a retry of the very same
// batch. After a delivery child is killed between the remote COMMIT and the hub's cursor
// update, the next child reads from the old cursor and may cut a different batch (more rows
// have arrived), so the ledger would not match and rows would be written twice. A cursor per
// (sink, listener) stored in the target in the same transaction as the rows recognises
// every record already applied, whatever the batch boundaries. Local mode uses the hub's own
// pgwatch_rpc.sink_cursors the same way.
#include "sinks/postgres/postgres_sink.hpp"

#include "core/delivery/dead_letter_row.hpp"
#include "core/delivery/sink_context.hpp"
#include "core/json/measurement_rows.hpp"
#include "core/libpq/pg_connection.hpp"
#include "core/log/log.hpp"
#include "core/sink/registry.hpp"
#include "core/wire/payload_json.hpp"
#include "sinks/postgres/copy_text.hpp"
#include "sinks/postgres/pg_errors.hpp"
#include "sinks/postgres/postgres_kind.hpp"
#include "sinks/postgres/row_mapping.hpp"
#include "sinks/postgres/schema_sql.hpp"

#include <chrono>
#include <map>
#include <stdexcept>
#include <unordered_map>
#include <utility>

namespace pgwatch_rpc::sinks {
namespace {

using libpq::PgConnection;
using libpq::PgStatus;

// DecodeSync: a SyncMetric record's JSON (rare: one per source and metric change).
bool DecodeSync(const std::string &payload, nlohmann::json *out, std::string *error) {
	std::string text;
	wire::ScanResult res =
	    wire::PayloadToJson(wire::PayloadKind::kSync, reinterpret_cast<const uint8_t *>(payload.data()),
	                        payload.size(), json::SpoolDecodeLimits(), &text);
	if (!res.ok()) {
		*error = "cannot decode the spool payload: " + res.message;
		return false;
	}
	*out = nlohmann::json::parse(text, nullptr, false);
	if (out->is_discarded()) {
		*error = "cannot decode the spool payload: its JSON rendering does not parse";
		return false;
	}
	return true;
}

int64_t MonotonicSeconds() {
	return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now().time_since_epoch())
	    .count();
}

std::string IntervalText(int64_t seconds) { return std::to_string(seconds) + " seconds"; }

struct Envelope {
	size_t record_index = 0;
	MappedEnvelope mapped;
};

struct SyncOpRecord {
	size_t record_index = 0;
	std::string operation; // "AddOp", "DeleteOp"
	std::string dbname;
	std::string metric;
};

// Decoded: one batch turned into rows (grouped by metric, in metric order as pgwatch sorts
// them) and SyncMetric operations; records that cannot be decoded are rejected at once.
struct Decoded {
	std::map<std::string, std::vector<Envelope>> by_metric;
	std::vector<SyncOpRecord> syncs;
	std::vector<sink::RejectedRecord> rejected;
};

Decoded DecodeBatch(const sink::Batch &batch, RowMapper *mapper) {
	Decoded out;
	for (size_t i = 0; i < batch.records.size(); i++) {
		const sink::Record &rec = batch.records[i];
		std::string error;
		if (rec.kind == sink::RecordKind::kMeasurement) {
			Envelope env;
			env.record_index = i;
			if (!mapper->Map(rec, &env.mapped, &error)) {
				out.rejected.push_back({i, error});
				continue;
			}
			if (!env.mapped.rows.empty())
				out.by_metric[env.mapped.metric].push_back(std::move(env));
		} else if (rec.kind == sink::RecordKind::kSync) {
			nlohmann::json json;
			if (!DecodeSync(rec.payload, &json, &error)) {
				out.rejected.push_back({i, error});
				continue;
			}
			SyncOpRecord op;
			op.record_index = i;
			op.operation = json.value("Operation", nlohmann::json()).is_string() ? json["Operation"].get<std::string>() : "";
			op.dbname = json.value("DBName", std::string());
			op.metric = json.value("MetricName", std::string());
			if (op.operation == "AddOp" || op.operation == "DeleteOp")
				out.syncs.push_back(std::move(op));
		}
		// DefineMetrics records carry metric definitions pgwatch's postgres sink ignores.
	}
	return out;
}

class PostgresSink : public sink::Sink {
public:
	PostgresSink(std::string sink_name, PostgresSettings settings, std::string hub_dsn)
	    : sink_name_(std::move(sink_name)), settings_(std::move(settings)), hub_dsn_(std::move(hub_dsn)),
	      next_maintenance_s_(MonotonicSeconds() + settings_.maintenance_interval_s) {}

	sink::Outcome Deliver(const sink::Batch &batch) override;
	bool WantsControlRecords() const override { return true; }

private:
	bool Local() const { return !settings_.has_conninfo; }
	const char *CursorTable() const { return Local() ? "pgwatch_rpc.sink_cursors" : "admin.rpc_sink_cursors"; }

	// Failure: turns a failed statement into a retry, dropping the connection when it is
	// (or may be) broken so the next Deliver reconnects.
	sink::Outcome Failure(const PgStatus &st, const char *doing);
	PgStatus EnsureReady();
	PgStatus Bootstrap();
	void MaybeMaintain();
	PgStatus EnsurePartitions(const Decoded &decoded);
	// WriteTransaction: *no_partition is set (and nothing committed) on SQLSTATE 23514.
	PgStatus WriteTransaction(const sink::Batch &batch, const Decoded &decoded,
	                          std::vector<sink::RejectedRecord> *rejected, bool *no_partition);
	PgStatus CopyEnvelopes(const std::string &metric, const std::vector<const Envelope *> &envelopes,
	                       std::vector<sink::RejectedRecord> *rejected, bool *no_partition);
	PgStatus CopyRows(const std::string &metric, const std::vector<const Envelope *> &envelopes);

	std::string sink_name_;
	PostgresSettings settings_;
	std::string hub_dsn_;
	PgConnection conn_;
	RowMapper mapper_;
	bool ready_ = false;
	int64_t next_maintenance_s_;
	// Partition ranges known to exist, per metric, in unix microseconds [from, to).
	std::unordered_map<std::string, std::vector<std::pair<int64_t, int64_t>>> partitions_;
};

sink::Outcome PostgresSink::Failure(const PgStatus &st, const char *doing) {
	PgErrorClass cls = ClassifySqlState(st.sqlstate, st.constraint);
	if (cls == PgErrorClass::kTransient || !conn_.Usable()) {
		conn_.Close();
		ready_ = false;
	} else {
		conn_.Exec("ROLLBACK"); // harmless outside a transaction (a warning only)
	}
	std::string why = std::string("postgres sink: ") + doing + ": " +
	                  (st.sqlstate.empty() ? "" : st.sqlstate + " ") + st.message;
	return sink::Outcome::Retry(why);
}

PgStatus PostgresSink::Bootstrap() {
	// The advisory lock serialises sinks bootstrapping the same database at once.
	std::vector<std::string> rows;
	PgStatus st = conn_.Exec("BEGIN; SELECT pg_advisory_xact_lock(1571543679778230001); "
	                         "SELECT to_regnamespace('admin') IS NOT NULL",
	                         &rows);
	if (!st.ok)
		return st;
	if (rows.size() == 1 && rows[0] == "f") {
		if (!settings_.create_schema) {
			conn_.Exec("ROLLBACK");
			st.ok = false;
			st.message = "schema admin does not exist in the target database and create_schema is false";
			return st;
		}
		st = conn_.Exec(kBootstrapSql);
		if (!st.ok)
			return st;
		log::Write(log::Level::kLog, "postgres sink " + sink_name_ + ": created pgwatch's storage schema");
	}
	if (!Local()) {
		st = conn_.Exec(kRemoteCursorSql);
		if (!st.ok)
			return st;
	}
	return conn_.Exec("COMMIT");
}

PgStatus PostgresSink::EnsureReady() {
	if (!conn_.Usable()) {
		ready_ = false;
		PgStatus st = conn_.Open(Local() ? hub_dsn_ : settings_.conninfo, settings_.password,
		                         "pgwatch-rpc deliver " + sink_name_);
		if (!st.ok)
			return st;
	}
	if (!ready_) {
		PgStatus st = Bootstrap();
		if (!st.ok)
			return st;
		partitions_.clear();
		ready_ = true;
	}
	return PgStatus{};
}

void PostgresSink::MaybeMaintain() {
	if (settings_.maintenance_interval_s == 0 || MonotonicSeconds() < next_maintenance_s_)
		return;
	next_maintenance_s_ = MonotonicSeconds() + settings_.maintenance_interval_s;
	std::vector<std::string> rows;
	if (settings_.retention_s > 0) {
		PgStatus st = conn_.ExecParams("SELECT admin.drop_old_time_partitions($1::interval)",
		                               {IntervalText(settings_.retention_s)}, &rows);
		if (!st.ok)
			log::Write(log::Level::kWarning, "postgres sink " + sink_name_ +
			                                     ": dropping old partitions failed: " + st.message);
		else if (!rows.empty() && rows[0] != "0")
			log::Write(log::Level::kLog, "postgres sink " + sink_name_ + ": dropped " + rows[0] +
			                                 " partitions older than the retention");
		partitions_.clear();
	}
	PgStatus st = conn_.Exec("SELECT admin.maintain_unique_sources()");
	if (!st.ok)
		log::Write(log::Level::kWarning,
		           "postgres sink " + sink_name_ + ": maintain_unique_sources failed: " + st.message);
}

PgStatus PostgresSink::EnsurePartitions(const Decoded &decoded) {
	for (const auto &group : decoded.by_metric) {
		std::vector<std::pair<int64_t, int64_t>> &known = partitions_[group.first];
		for (const Envelope &env : group.second) {
			int64_t t = env.mapped.rows.front().time_us; // every row of an envelope has its time
			bool covered = false;
			for (const auto &range : known)
				covered = covered || (t >= range.first && t < range.second);
			if (covered)
				continue;
			// One statement, so one short transaction: the partitions exist before the rows'
			// transaction starts and stay even if that transaction is rolled back.
			std::vector<std::string> rows;
			PgStatus st = conn_.ExecParams(
			    "SELECT (extract(epoch FROM part_available_from) * 1000000)::bigint, "
			    "(extract(epoch FROM part_available_to) * 1000000)::bigint "
			    "FROM admin.ensure_partition_metric_time($1, $2::timestamptz, $3::interval)",
			    {group.first, FormatTimestampUs(t), IntervalText(settings_.partition_interval_s)}, &rows);
			if (!st.ok)
				return st;
			size_t tab = rows.empty() ? std::string::npos : rows[0].find('\t');
			if (tab != std::string::npos && tab > 0 && tab + 1 < rows[0].size())
				known.emplace_back(std::stoll(rows[0].substr(0, tab)), std::stoll(rows[0].substr(tab + 1)));
		}
	}
	return PgStatus{};
}

PgStatus PostgresSink::CopyRows(const std::string &metric, const std::vector<const Envelope *> &envelopes) {
	std::string data;
	for (const Envelope *env : envelopes)
		for (const MetricRow &row : env->mapped.rows)
			AppendCopyLine(env->mapped.dbname, row, &data);
	return conn_.CopyIn("COPY public." + QuoteIdent(metric) + " (time, dbname, data, tag_data) FROM STDIN", data);
}

PgStatus PostgresSink::CopyEnvelopes(const std::string &metric, const std::vector<const Envelope *> &envelopes,
                                     std::vector<sink::RejectedRecord> *rejected, bool *no_partition) {
	PgStatus st = conn_.Exec("SAVEPOINT metric_copy");
	if (!st.ok)
		return st;
	st = CopyRows(metric, envelopes);
	if (st.ok)
		return conn_.Exec("RELEASE SAVEPOINT metric_copy");
	PgErrorClass cls = ClassifySqlState(st.sqlstate, st.constraint);
	if (cls == PgErrorClass::kNoPartition)
		*no_partition = true;
	if (cls != PgErrorClass::kBadData)
		return st;
	// A data error names no record: copy the envelopes one by one, each in its own
	// savepoint, and reject those PostgreSQL refuses.
	PgStatus undo = conn_.Exec("ROLLBACK TO SAVEPOINT metric_copy");
	if (!undo.ok)
		return undo;
	for (const Envelope *env : envelopes) {
		st = conn_.Exec("SAVEPOINT record_copy");
		if (!st.ok)
			return st;
		st = CopyRows(metric, {env});
		if (st.ok) {
			st = conn_.Exec("RELEASE SAVEPOINT record_copy");
			if (!st.ok)
				return st;
			continue;
		}
		cls = ClassifySqlState(st.sqlstate, st.constraint);
		if (cls == PgErrorClass::kNoPartition)
			*no_partition = true;
		if (cls != PgErrorClass::kBadData)
			return st;
		rejected->push_back({env->record_index, "PostgreSQL refused the rows: " + st.sqlstate + " " + st.message});
		undo = conn_.Exec("ROLLBACK TO SAVEPOINT record_copy");
		if (!undo.ok)
			return undo;
	}
	return conn_.Exec("RELEASE SAVEPOINT metric_copy");
}

PgStatus PostgresSink::WriteTransaction(const sink::Batch &batch, const Decoded &decoded,
                                        std::vector<sink::RejectedRecord> *rejected, bool *no_partition) {
	PgStatus st = conn_.Exec("BEGIN");
	if (!st.ok)
		return st;
	// One writer per sink and target: a second child of the same sink (or another hub with
	// the same sink name on the same remote database) waits here instead of interleaving.
	st = conn_.ExecParams("SELECT pg_advisory_xact_lock(hashtextextended('pgwatch_rpc.sink:' || $1, 0))",
	                      {sink_name_});
	if (!st.ok)
		return st;
	std::vector<std::string> rows;
	st = conn_.ExecParams(std::string("SELECT listener_id, seq FROM ") + CursorTable() + " WHERE sink = $1",
	                      {sink_name_}, &rows);
	if (!st.ok)
		return st;
	std::map<int32_t, int64_t> applied;
	for (const std::string &row : rows) {
		size_t tab = row.find('\t');
		applied[std::stoi(row.substr(0, tab))] = std::stoll(row.substr(tab + 1));
	}
	auto already_applied = [&](size_t record_index) {
		const sink::Record &rec = batch.records[record_index];
		auto it = applied.find(rec.listener_id);
		return it != applied.end() && rec.seq <= it->second;
	};

	for (const auto &group : decoded.by_metric) {
		std::vector<const Envelope *> envelopes;
		for (const Envelope &env : group.second)
			if (!already_applied(env.record_index))
				envelopes.push_back(&env);
		if (envelopes.empty())
			continue;
		st = CopyEnvelopes(group.first, envelopes, rejected, no_partition);
		if (!st.ok)
			return st;
	}

	for (const SyncOpRecord &op : decoded.syncs) {
		if (already_applied(op.record_index))
			continue;
		if (op.operation == "AddOp" && !op.metric.empty()) {
			st = conn_.ExecParams("INSERT INTO admin.all_distinct_dbname_metrics (dbname, metric) VALUES ($1, $2) "
			                      "ON CONFLICT DO NOTHING",
			                      {op.dbname, op.metric});
			if (st.ok)
				st = conn_.ExecParams("SELECT admin.ensure_dummy_metrics_table($1)", {op.metric});
		} else if (op.operation == "DeleteOp" && op.metric.empty()) {
			// An empty MetricName deletes the whole source.
			st = conn_.ExecParams("DELETE FROM admin.all_distinct_dbname_metrics WHERE dbname = $1", {op.dbname});
		} else if (op.operation == "DeleteOp") {
			st = conn_.ExecParams("DELETE FROM admin.all_distinct_dbname_metrics WHERE dbname = $1 AND metric = $2",
			                      {op.dbname, op.metric});
		}
		if (!st.ok)
			return st;
	}

	// Local mode commits the batch's whole progress here (Outcome::cursor_committed): the
	// rejected records go to the dead letters in this transaction too.
	for (size_t i = 0; Local() && !batch.advance_to.empty() && i < rejected->size(); i++) {
		const sink::RejectedRecord &r = (*rejected)[i];
		st = conn_.ExecParams(delivery::kInsertDeadLetterSql,
		                      delivery::DeadLetterParams(sink_name_, batch.records[r.record_index], r.reason));
		if (!st.ok)
			return st;
	}

	for (const sink::CursorPosition &pos : batch.advance_to) {
		st = conn_.ExecParams(std::string("INSERT INTO ") + CursorTable() +
		                          " (sink, listener_id, seq) VALUES ($1, $2, $3) "
		                          "ON CONFLICT (sink, listener_id) DO UPDATE SET seq = EXCLUDED.seq, updated_at = now()",
		                      {sink_name_, std::to_string(pos.listener_id), std::to_string(pos.seq)});
		if (!st.ok)
			return st;
	}
	return conn_.Exec("COMMIT");
}

sink::Outcome PostgresSink::Deliver(const sink::Batch &batch) {
	Decoded decoded = DecodeBatch(batch, &mapper_);
	PgStatus st = EnsureReady();
	if (!st.ok)
		return Failure(st, "connecting");
	MaybeMaintain();
	// One re-try after 23514: a partition vanished since it was cached (retention).
	for (int attempt = 0; attempt < 2; attempt++) {
		st = EnsurePartitions(decoded);
		if (!st.ok)
			return Failure(st, "creating partitions");
		std::vector<sink::RejectedRecord> rejected = decoded.rejected;
		bool no_partition = false;
		st = WriteTransaction(batch, decoded, &rejected, &no_partition);
		if (st.ok) {
			sink::Outcome outcome = sink::Outcome::Delivered();
			outcome.rejected = std::move(rejected);
			outcome.cursor_committed = Local();
			return outcome;
		}
		if (!no_partition || attempt == 1)
			return Failure(st, "writing rows");
		conn_.Exec("ROLLBACK");
		partitions_.clear();
	}
	return sink::Outcome::Retry("postgres sink: unreachable");
}

} // namespace

std::unique_ptr<sink::Sink> CreatePostgresSink(const delivery::SinkContext &context) {
	PostgresSettings settings;
	std::vector<sink::ConfigProblem> problems;
	ParsePostgresSettings(context.config, context.secrets, &settings, &problems);
	if (!problems.empty())
		throw std::invalid_argument(sink::FormatProblems(problems));
	return std::make_unique<PostgresSink>(context.sink_name, std::move(settings), context.hub_dsn);
}

} // namespace pgwatch_rpc::sinks
