// Group commit into pgwatch_rpc.spool on one non-blocking libpq connection
// (see group_committer.hpp). Everything here runs from the event loop; nothing blocks.
#include "core/spool/group_committer.hpp"

#include "core/log/log.hpp"
#include "core/loop/clock.hpp"
#include "core/spool/key_rows.hpp"
#include "core/spool/pg_binary_array.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <utility>

namespace pgwatch_rpc::spool {
namespace {
using grpc::StatusCode;

constexpr int64_t kBackoffMinUs = 100'000;
constexpr int64_t kBackoffMaxUs = 5'000'000;
constexpr int64_t kTickUs = 1'000'000;
constexpr int64_t kSpoolPollUs = 5'000'000;
constexpr int64_t kPartitionsEveryUs = 3600LL * 1'000'000;
constexpr int64_t kLastUsedEveryUs = 60'000'000;
constexpr int64_t kStatusRefreshUs = 60'000'000; // even when nothing changed
// A batch also closes at this many payload bytes (at least one call per batch): the
// parameter buffers hold a copy of every payload.
constexpr size_t kBatchMaxBytes = 32u << 20;
constexpr int kPartitionDaysAhead = 3;

const char *const kInsertSql =
    "INSERT INTO pgwatch_rpc.spool (listener_id, seq, key_name, kind, dbname, metric, nrows, payload)"
    " SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[],"
    " $8::bytea[])";
// The INSERT is prepared once per connection under this name (setup), so a batch costs the
// server an execution only, not a parse and a plan as well.
const char *const kInsertStatement = "pgwatch_rpc_spool_insert";

const char *const kStatusSql =
    "INSERT INTO pgwatch_rpc.listener_status (listener_id, pid, started_at, updated_at, stats)"
    " VALUES ($1::int, $2::int, $3::timestamptz, now(), $4::jsonb) ON CONFLICT (listener_id) DO UPDATE"
    " SET pid = EXCLUDED.pid, started_at = EXCLUDED.started_at, updated_at = now(), stats = EXCLUDED.stats";

// SQLSTATEs after which the connection is useless (connection exceptions, the server
// shutting down, a standby): the calls are UNAVAILABLE, not INTERNAL, and we reconnect.
bool MeansUnavailable(const std::string &sqlstate) {
	return sqlstate.rfind("08", 0) == 0 || sqlstate.rfind("57P", 0) == 0 || sqlstate == "25006";
}

// The parameter types of kInsertSql, sent when preparing it.
std::vector<Oid> InsertTypes() {
	return {kInt4Oid, kInt8ArrayOid, kTextArrayOid, kTextArrayOid, kTextArrayOid, kTextArrayOid, kInt4ArrayOid,
	        kByteaArrayOid};
}

std::string Int4Binary(int32_t value) {
	std::string out;
	AppendInt32BE(&out, static_cast<uint32_t>(value));
	return out;
}
} // namespace

GroupCommitter::GroupCommitter(loop::EventLoop &loop, std::string conninfo, CommitterOptions options,
                               h2::KeyStore *keys, CompleteFn complete,
                               std::function<std::string()> status_json)
    : loop_(loop), options_(std::move(options)), keys_(keys), complete_(std::move(complete)),
      status_json_(std::move(status_json)) {
	started_at_ = loop::FormatIso8601(loop::WallMicros());
	PgSession::Callbacks callbacks;
	callbacks.connected = [this] { OnConnected(); };
	callbacks.connect_failed = [this](const std::string &reason) { OnDisconnected(reason, true); };
	callbacks.lost = [this](const std::string &reason) { OnDisconnected(reason, false); };
	callbacks.notified = [this](const std::string &channel) {
		if (channel == "pgwatch_rpc_keys")
			reload_keys_ = true;
	};
	pg_ = std::make_unique<PgSession>(loop_, std::move(conninfo), std::move(callbacks));
	loop_.AfterEvents([this] { Pump(); });
}

GroupCommitter::~GroupCommitter() {
	loop_.timers().Cancel(reconnect_timer_);
	loop_.timers().Cancel(linger_timer_);
	loop_.timers().Cancel(tick_timer_);
}

void GroupCommitter::Start() {
	pg_->Connect();
	ScheduleTick();
}

// The tick drives the periodic duties (status row, spool size, partitions) while idle.
void GroupCommitter::ScheduleTick() {
	tick_timer_ = loop_.timers().Schedule(loop::MonotonicMicros() + kTickUs, [this] {
		tick_timer_ = 0;
		Pump();
		ScheduleTick();
	});
}

void GroupCommitter::Apply(const CommitterOptions &options) {
	bool ack_changed = options.ack != options_.ack;
	if (options.listener_name != options_.listener_name)
		log::Write(log::Level::kWarning, "listener_name changed: it takes effect when the listener restarts");
	std::string name = options_.listener_name;
	options_ = options;
	options_.listener_name = name;
	if (ack_changed && ready_)
		resend_ack_ = true;
}

void GroupCommitter::RecordError(const std::string &message) {
	stats_.last_error = message;
	stats_.last_error_at_us = loop::WallMicros();
}

std::string GroupCommitter::UnavailableMessage() const {
	return "database unavailable: " + last_connect_error_ + "; nothing was stored, retry";
}

void GroupCommitter::OnConnected() {
	log::Write(log::Level::kDebug, "database connection established, setting up");
	RunSetup(0);
}

void GroupCommitter::RunSetup(size_t step) {
	PgQuery query;
	const char *what = "";
	switch (step) {
	case 0:
		// force_generic_plan: otherwise the server re-plans the prepared INSERT for each of the
		// first five batches and keeps doing so whenever a custom plan looks cheaper.
		query.simple = true;
		query.sql = std::string("SET application_name = 'pgwatch-rpc listen'; SET synchronous_commit = ") +
		            (options_.ack == config::AckMode::kFast ? "off" : "on") +
		            "; SET plan_cache_mode = force_generic_plan; LISTEN pgwatch_rpc_keys";
		what = "session setup";
		break;
	case 1:
		query.sql = "SELECT listener_id, last_seq FROM pgwatch_rpc.listener_register($1)";
		query.values = {options_.listener_name};
		what = "listener_register";
		break;
	case 2:
		query.sql = kLoadKeysSql;
		what = "loading keys";
		break;
	case 3:
		query.sql = "SELECT pgwatch_rpc.spool_ensure_partitions(" + std::to_string(kPartitionDaysAhead) + ")";
		what = "spool_ensure_partitions";
		break;
	case 4:
		// After the partitions exist; a new connection starts without prepared statements, so
		// every (re)connect prepares again.
		query.sql = kInsertSql;
		query.statement = kInsertStatement;
		query.prepare = true;
		query.types = InsertTypes();
		what = "preparing the spool insert";
		break;
	default:
		ready_ = true;
		reload_keys_ = false;
		backoff_us_ = 0;
		next_partitions_us_ = loop::MonotonicMicros() + kPartitionsEveryUs;
		next_spool_poll_us_ = 0;
		log::Write(log::Level::kLog,
		           "listener \"" + options_.listener_name + "\" (id " + std::to_string(listener_id_) +
		               ") connected to the database; next seq " + std::to_string(next_seq_));
		Pump();
		return;
	}
	pg_->Send(query, [this, step, what](PgOutcome &outcome) {
		if (outcome.connection_lost) {
			OnDisconnected(outcome.error, true);
			return;
		}
		if (!outcome.ok) {
			std::string reason = std::string(what) + " failed: " + outcome.error;
			pg_->Close();
			OnDisconnected(reason, true);
			return;
		}
		if (step == 1) {
			if (!outcome.rows || PQntuples(outcome.rows.get()) != 1) {
				pg_->Close();
				OnDisconnected("listener_register returned no row", true);
				return;
			}
			listener_id_ = std::atoi(PQgetvalue(outcome.rows.get(), 0, 0));
			next_seq_ = std::strtoll(PQgetvalue(outcome.rows.get(), 0, 1), nullptr, 10) + 1;
		} else if (step == 2) {
			std::string skipped;
			keys_->cache.Replace(KeysFromRows(outcome.rows.get(), &skipped));
			keys_->loaded = true;
			if (!skipped.empty())
				log::Write(log::Level::kWarning, "keys with a malformed hash were ignored: " + skipped);
		}
		RunSetup(step + 1);
	});
}

void GroupCommitter::OnDisconnected(const std::string &reason, bool was_connecting) {
	bool was_ready = ready_;
	ready_ = false;
	resend_ack_ = false;
	last_connect_error_ = reason;
	RecordError("database: " + reason);
	if (was_ready || !was_connecting || backoff_us_ == 0)
		log::Write(was_ready ? log::Level::kError : log::Level::kWarning,
		           "database connection " + std::string(was_ready ? "lost" : "failed") + ": " + reason);
	FailPending(StatusCode::kUnavailable, UnavailableMessage());
	ScheduleReconnect();
}

void GroupCommitter::ScheduleReconnect() {
	if (reconnect_timer_ != 0)
		return;
	backoff_us_ = backoff_us_ == 0 ? kBackoffMinUs : std::min(backoff_us_ * 2, kBackoffMaxUs);
	reconnect_timer_ = loop_.timers().Schedule(loop::MonotonicMicros() + backoff_us_, [this] {
		reconnect_timer_ = 0;
		pg_->Connect();
	});
}

void GroupCommitter::FailPending(StatusCode code, const std::string &message) {
	std::deque<Pending> failed;
	failed.swap(pending_);
	for (Pending &call : failed)
		complete_(call.ref, code, message);
}

std::optional<h2::Refusal> GroupCommitter::Submit(h2::CallRef ref, h2::SpoolRecord record) {
	if (!ready_)
		return h2::Refusal{StatusCode::kUnavailable, UnavailableMessage()};
	if (options_.spool_max_size > 0 && spool_size_ > options_.spool_max_size)
		return h2::Refusal{StatusCode::kResourceExhausted, "spool is over pgwatch_rpc.spool_max_size (" +
		                                                       std::to_string(spool_size_) + " > " +
		                                                       std::to_string(options_.spool_max_size) +
		                                                       "): deliver or raise the limit"};
	pending_.push_back(Pending{ref, std::move(record), loop::MonotonicMicros()});
	return std::nullopt;
}

void GroupCommitter::Cancel(h2::CallRef ref) {
	auto it = std::find_if(pending_.begin(), pending_.end(), [&](const Pending &p) { return p.ref == ref; });
	if (it != pending_.end())
		pending_.erase(it);
}

void GroupCommitter::Pump() {
	if (!ready_ || !pg_->ready())
		return;
	if (resend_ack_) {
		resend_ack_ = false;
		PgQuery query;
		query.sql = std::string("SET synchronous_commit = ") +
		            (options_.ack == config::AckMode::kFast ? "off" : "on");
		SendBackground(query, "setting synchronous_commit", nullptr);
		return;
	}
	if (reload_keys_) {
		SendKeyReload();
		return;
	}
	if (!pending_.empty() && SendBatch())
		return;
	int64_t now = loop::MonotonicMicros();
	if (!last_used_due_.empty() && SendLastUsed())
		return;
	if (now >= next_status_us_ && SendStatus())
		return;
	if (now >= next_spool_poll_us_ && pending_.empty() && SendSpoolSize())
		return;
	if (now >= next_partitions_us_)
		SendPartitions();
}

bool GroupCommitter::SendBatch() {
	int64_t now = loop::MonotonicMicros();
	// Calls whose client deadline passed while queued are not written (GRPC.md §6).
	for (auto it = pending_.begin(); it != pending_.end();) {
		if (it->record.deadline_us != 0 && it->record.deadline_us <= now) {
			h2::CallRef ref = it->ref;
			it = pending_.erase(it);
			complete_(ref, StatusCode::kDeadlineExceeded, "deadline exceeded before the call was stored");
		} else {
			++it;
		}
	}
	if (pending_.empty())
		return false;
	size_t max_calls = static_cast<size_t>(std::max(1, options_.batch_max_envelopes));
	if (options_.batch_linger_us > 0 && pending_.size() < max_calls &&
	    pending_.front().queued_at_us + options_.batch_linger_us > now) {
		if (linger_timer_ == 0)
			linger_timer_ =
			    loop_.timers().Schedule(pending_.front().queued_at_us + options_.batch_linger_us, [this] {
				    linger_timer_ = 0;
				    Pump();
			    });
		return false;
	}
	auto batch = std::make_unique<Batch>();
	BinaryArrayBuilder seqs(kInt8Oid), key_names(kTextOid), kinds(kTextOid), dbnames(kTextOid),
	    metrics(kTextOid), nrows(kInt4Oid), payloads(kByteaOid);
	size_t bytes = 0;
	batch->first_seq = next_seq_;
	while (!pending_.empty() && batch->calls.size() < max_calls &&
	       (batch->calls.empty() || bytes + pending_.front().record.payload.size() <= kBatchMaxBytes)) {
		Pending call = std::move(pending_.front());
		pending_.pop_front();
		const h2::SpoolRecord &r = call.record;
		seqs.AddInt8(next_seq_++);
		key_names.AddBytes(r.key_name);
		kinds.AddBytes(r.kind);
		dbnames.AddBytes(r.dbname);
		metrics.AddBytes(r.metric);
		nrows.AddInt4(r.nrows);
		payloads.AddBytes(r.payload);
		bytes += r.payload.size();
		call.payload_bytes = r.payload.size();
		// The payload now lives in the parameter buffer; do not keep a second copy.
		call.record.payload.clear();
		call.record.payload.shrink_to_fit();
		batch->calls.push_back(std::move(call));
	}
	PgQuery query;
	query.statement = kInsertStatement;
	query.values = {Int4Binary(listener_id_), seqs.Finish(),    key_names.Finish(), kinds.Finish(),
	                dbnames.Finish(),         metrics.Finish(), nrows.Finish(),     payloads.Finish()};
	query.formats.assign(query.values.size(), 1);
	batch->sent_at_us = now;
	batch_ = std::move(batch);
	pg_->Send(query, [this](PgOutcome &outcome) { OnBatchDone(outcome); });
	return true;
}

void GroupCommitter::OnBatchDone(PgOutcome &outcome) {
	std::unique_ptr<Batch> batch = std::move(batch_);
	if (outcome.ok) {
		int64_t now = loop::MonotonicMicros();
		stats_.batches++;
		stats_.commit_latency_ms.Add(static_cast<double>(now - batch->sent_at_us) / 1000.0);
		for (Pending &call : batch->calls) {
			stats_.envelopes++;
			stats_.rows += static_cast<uint64_t>(call.record.nrows);
			stats_.bytes += call.payload_bytes;
			int64_t &sent = last_used_sent_us_[call.record.key_name];
			if (sent == 0 || now - sent >= kLastUsedEveryUs) {
				sent = now;
				last_used_due_.push_back(call.record.key_name);
			}
		}
		for (Pending &call : batch->calls)
			complete_(call.ref, StatusCode::kOk, "");
		return;
	}
	if (outcome.connection_lost || MeansUnavailable(outcome.sqlstate)) {
		std::string message = "database connection lost during commit: " + outcome.error +
		                      "; the call may not have been stored, retry";
		for (Pending &call : batch->calls)
			complete_(call.ref, StatusCode::kUnavailable, message);
		if (!outcome.connection_lost)
			pg_->Close();
		OnDisconnected(outcome.error, false);
		return;
	}
	// The statement failed as a whole, so none of its seq numbers was used.
	next_seq_ = batch->first_seq;
	RecordError("spool insert: " + outcome.error);
	log::Write(log::Level::kError, "could not write a batch of " + std::to_string(batch->calls.size()) +
	                                   " calls to the spool: " + outcome.error);
	for (Pending &call : batch->calls)
		complete_(call.ref, StatusCode::kInternal, "could not store the call in the spool: " + outcome.error);
}

void GroupCommitter::SendBackground(const PgQuery &query, const char *what,
                                    std::function<void(PgOutcome &)> on_ok) {
	pg_->Send(query, [this, what, on_ok = std::move(on_ok)](PgOutcome &outcome) {
		if (outcome.connection_lost) {
			OnDisconnected(outcome.error, false);
			return;
		}
		if (!outcome.ok) {
			RecordError(std::string(what) + ": " + outcome.error);
			log::Write(log::Level::kWarning, std::string(what) + " failed: " + outcome.error);
			if (MeansUnavailable(outcome.sqlstate)) {
				pg_->Close();
				OnDisconnected(outcome.error, false);
			}
			return;
		}
		if (on_ok)
			on_ok(outcome);
	});
}

bool GroupCommitter::SendKeyReload() {
	reload_keys_ = false;
	PgQuery query;
	query.sql = kLoadKeysSql;
	SendBackground(query, "reloading keys", [this](PgOutcome &outcome) {
		std::string skipped;
		keys_->cache.Replace(KeysFromRows(outcome.rows.get(), &skipped));
		keys_->loaded = true;
		log::Write(log::Level::kDebug,
		           "key cache reloaded: " + std::to_string(keys_->cache.size()) + " keys");
		if (!skipped.empty())
			log::Write(log::Level::kWarning, "keys with a malformed hash were ignored: " + skipped);
	});
	return true;
}

bool GroupCommitter::SendLastUsed() {
	BinaryArrayBuilder names(kTextOid);
	for (const std::string &name : last_used_due_)
		names.AddBytes(name);
	last_used_due_.clear();
	PgQuery query;
	query.sql = "UPDATE pgwatch_rpc.keys SET last_used_at = now() WHERE name = ANY($1::text[])";
	query.values = {names.Finish()};
	query.types = {kTextArrayOid};
	query.formats = {1};
	SendBackground(query, "updating keys.last_used_at", nullptr);
	return true;
}

bool GroupCommitter::SendStatus() {
	int64_t now = loop::MonotonicMicros();
	std::string stats = status_json_();
	bool changed = stats != last_status_sent_;
	if (!changed && now < next_status_us_ + kStatusRefreshUs - kTickUs) {
		next_status_us_ = now + kTickUs;
		return false;
	}
	next_status_us_ = now + kTickUs;
	PgQuery query;
	query.sql = kStatusSql;
	query.values = {std::to_string(listener_id_), std::to_string(getpid()), started_at_, stats};
	last_status_sent_ = std::move(stats);
	SendBackground(query, "updating listener_status", nullptr);
	return true;
}

bool GroupCommitter::SendSpoolSize() {
	next_spool_poll_us_ = loop::MonotonicMicros() + kSpoolPollUs;
	PgQuery query;
	query.sql = "SELECT pgwatch_rpc.spool_size()";
	SendBackground(query, "measuring the spool", [this](PgOutcome &outcome) {
		if (!outcome.rows || PQntuples(outcome.rows.get()) != 1 || PQgetisnull(outcome.rows.get(), 0, 0))
			return;
		int64_t size = std::strtoll(PQgetvalue(outcome.rows.get(), 0, 0), nullptr, 10);
		bool over = options_.spool_max_size > 0 && size > options_.spool_max_size;
		bool was_over = options_.spool_max_size > 0 && spool_size_ > options_.spool_max_size;
		if (over && !was_over)
			log::Write(log::Level::kWarning, "spool is over pgwatch_rpc.spool_max_size (" +
			                                     std::to_string(size) + " > " +
			                                     std::to_string(options_.spool_max_size) +
			                                     "): new calls are refused until it shrinks");
		else if (!over && was_over)
			log::Write(log::Level::kLog, "spool is below pgwatch_rpc.spool_max_size again: accepting calls");
		spool_size_ = size;
	});
	return true;
}

bool GroupCommitter::SendPartitions() {
	next_partitions_us_ = loop::MonotonicMicros() + kPartitionsEveryUs;
	PgQuery query;
	query.sql = "SELECT pgwatch_rpc.spool_ensure_partitions(" + std::to_string(kPartitionDaysAhead) + ")";
	SendBackground(query, "creating spool partitions", nullptr);
	return true;
}

} // namespace pgwatch_rpc::spool
