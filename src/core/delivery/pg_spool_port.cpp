// The libpq SpoolPort of a delivery child (see pg_spool_port.hpp).
//
// Why reading after a cursor never skips a row: each listener id has exactly one writer,
// which commits its batches one at a time in seq order, so when seq N is visible every seq
// below N is visible too (several spool writers get several listener ids).
#include "core/delivery/pg_spool_port.hpp"

#include "core/delivery/dead_letter_row.hpp"
#include "core/log/log.hpp"
#include "core/loop/clock.hpp"

#include <unistd.h>

#include <algorithm>
#include <stdexcept>

namespace pgwatch_rpc::delivery {
namespace {

// Spool rows fetched per query: bounds the memory of one read, and what a read fetches past
// the batch's end (about 200 typical envelopes fill a 5000-row batch).
constexpr int64_t kRowsPerQuery = 100;

const char *const kReadSql =
    "SELECT seq, (extract(epoch FROM received_at) * 1000000)::int8, key_name, kind, dbname, metric, nrows, payload "
    "FROM pgwatch_rpc.spool WHERE listener_id = $1 AND seq > $2 ORDER BY seq LIMIT $3";

sink::RecordKind KindFromText(std::string_view kind) {
	if (kind == "sync")
		return sink::RecordKind::kSync;
	if (kind == "define")
		return sink::RecordKind::kDefine;
	return sink::RecordKind::kMeasurement;
}

} // namespace

PgSpoolPort::PgSpoolPort(std::string sink_name, std::string dsn)
    : sink_name_(std::move(sink_name)), dsn_(std::move(dsn)), started_at_us_(loop::WallMicros()) {}

void PgSpoolPort::Fail(const char *doing, const libpq::PgStatus &status) {
	if (!conn_.Usable() || status.sqlstate.empty() || status.sqlstate.rfind("08", 0) == 0)
		conn_.Close();
	else if (conn_.InTransaction())
		conn_.Exec("ROLLBACK"); // leave no aborted transaction behind on a live connection
	throw std::runtime_error(std::string("hub database: ") + doing + ": " +
	                         (status.sqlstate.empty() ? "" : status.sqlstate + " ") + status.message);
}

libpq::PgConnection &PgSpoolPort::Connection() {
	if (conn_.Usable())
		return conn_;
	libpq::PgStatus st = conn_.Open(dsn_, "", "pgwatch-rpc deliver " + sink_name_);
	if (!st.ok)
		Fail("connecting", st);
	// One delivering process per sink: a second one (a launcher restart overlapping with a
	// child that has not exited yet, or a hand-started one) must not send the same rows.
	std::vector<std::string> rows;
	st = conn_.ExecParams("SELECT pg_try_advisory_lock(hashtextextended('pgwatch_rpc.deliver:' || $1, 0))",
	                      {sink_name_}, &rows);
	if (!st.ok)
		Fail("locking the sink", st);
	if (rows.empty() || rows[0] != "t") {
		conn_.Close();
		throw std::runtime_error("another process is delivering sink \"" + sink_name_ + "\" already");
	}
	return conn_;
}

void PgSpoolPort::LoadCursors() {
	libpq::PgConnection &conn = Connection();
	// A listener without a cursor row is delivered from its first row (sink_cursors' comment).
	libpq::PgRows rows;
	libpq::PgStatus st = conn.Query("SELECT l.id, coalesce(c.seq, 0) FROM pgwatch_rpc.listeners AS l "
	                                "LEFT JOIN pgwatch_rpc.sink_cursors AS c ON c.sink = $1 AND c.listener_id = l.id "
	                                "ORDER BY l.id",
	                                {sink_name_}, &rows, true);
	if (!st.ok)
		Fail("reading the cursors", st);
	cursors_.clear();
	for (int r = 0; r < rows.Count(); r++)
		cursors_[libpq::BinaryInt4(rows.Value(r, 0))] = libpq::BinaryInt8(rows.Value(r, 1));
}

bool PgSpoolPort::ReadListener(int32_t listener_id, int64_t after, const ReadLimits &limits, ReadTotals *totals,
                               std::vector<sink::Record> *out) {
	while (true) {
		int64_t want = std::min<int64_t>(kRowsPerQuery, static_cast<int64_t>(limits.max_records - out->size()));
		libpq::PgRows rows;
		libpq::PgStatus st = conn_.Query(kReadSql, {std::to_string(listener_id), std::to_string(after),
		                                            std::to_string(want)},
		                                 &rows, true);
		if (!st.ok)
			Fail("reading the spool", st);
		for (int r = 0; r < rows.Count(); r++) {
			sink::Record rec;
			rec.listener_id = listener_id;
			rec.seq = libpq::BinaryInt8(rows.Value(r, 0));
			rec.received_at_us = libpq::BinaryInt8(rows.Value(r, 1));
			rec.key_name = std::string(rows.Value(r, 2));
			rec.kind = KindFromText(rows.Value(r, 3));
			rec.dbname = std::string(rows.Value(r, 4));
			rec.metric = std::string(rows.Value(r, 5));
			rec.nrows = libpq::BinaryInt4(rows.Value(r, 6));
			rec.payload = std::string(rows.Value(r, 7));
			totals->bytes += static_cast<int64_t>(rec.payload.size());
			if (rec.kind == sink::RecordKind::kMeasurement)
				totals->rows += rec.nrows;
			after = rec.seq;
			out->push_back(std::move(rec));
			if (out->size() >= limits.max_records || totals->bytes >= limits.max_bytes ||
			    (limits.max_rows > 0 && totals->rows >= limits.max_rows))
				return false;
		}
		if (rows.Count() < want)
			return true;
	}
}

std::vector<sink::Record> PgSpoolPort::ReadBatch(const ReadLimits &limits) {
	Connection();
	// Re-read listeners and cursors each time: a listener registered since the last read
	// shows up, and a sink writing into the hub moves its cursors in its own transactions
	// (the tables are tiny, the query cheap next to the spool read).
	std::map<int32_t, int64_t> known = cursors_;
	LoadCursors();
	for (auto &[listener_id, seq] : cursors_) {
		auto it = known.find(listener_id);
		if (it != known.end())
			seq = std::max(seq, it->second); // our own commits may be newer than a cached read
	}
	std::vector<sink::Record> records;
	ReadTotals totals;
	for (const auto &[listener_id, seq] : cursors_)
		if (!ReadListener(listener_id, seq, limits, &totals, &records))
			break;
	return records;
}

void PgSpoolPort::Commit(const Progress &progress) {
	bool writes = !progress.dead_letters.empty() || (progress.write_cursors && !progress.advance_to.empty());
	if (writes) {
		libpq::PgConnection &conn = Connection();
		libpq::PgStatus st = conn.Exec("BEGIN");
		for (size_t i = 0; st.ok && i < progress.dead_letters.size(); i++) {
			const DeadLetter &dl = progress.dead_letters[i];
			st = conn.ExecParams(kInsertDeadLetterSql, DeadLetterParams(sink_name_, dl.record, dl.error));
		}
		for (size_t i = 0; st.ok && progress.write_cursors && i < progress.advance_to.size(); i++) {
			const sink::CursorPosition &pos = progress.advance_to[i];
			st = conn.ExecParams("INSERT INTO pgwatch_rpc.sink_cursors (sink, listener_id, seq) VALUES ($1, $2, $3) "
			                     "ON CONFLICT (sink, listener_id) DO UPDATE SET seq = EXCLUDED.seq, updated_at = now()",
			                     {sink_name_, std::to_string(pos.listener_id), std::to_string(pos.seq)});
		}
		if (st.ok)
			st = conn.Exec("COMMIT");
		if (!st.ok)
			Fail("recording the delivered batch", st);
	}
	for (const sink::CursorPosition &pos : progress.advance_to)
		cursors_[pos.listener_id] = pos.seq;
}

void PgSpoolPort::PublishStatus(const StatusReport &report) {
	libpq::PgConnection &conn = Connection();
	libpq::PgStatus st = conn.ExecParams(
	    // A sink dropped a moment ago has no row to report for (and its child is stopping).
	    "INSERT INTO pgwatch_rpc.sink_status AS s (sink, pid, state, started_at, updated_at, stats) "
	    "SELECT $1, $2, $3, $4::timestamptz, now(), $5::jsonb WHERE EXISTS (SELECT FROM pgwatch_rpc.sinks WHERE name = $1) "
	    "ON CONFLICT (sink) DO UPDATE SET pid = EXCLUDED.pid, state = EXCLUDED.state, "
	    "started_at = EXCLUDED.started_at, updated_at = now(), stats = EXCLUDED.stats",
	    {sink_name_, std::to_string(getpid()), SinkStateName(report.state), loop::FormatIso8601(started_at_us_),
	     StatsJson(report.stats).dump()});
	if (!st.ok)
		Fail("publishing the sink status", st);
}

} // namespace pgwatch_rpc::delivery
