// The group committer (DESIGN.md §4.2): queues accepted calls, writes them to
// pgwatch_rpc.spool as ONE INSERT … SELECT unnest($2…$8) statement per batch with binary
// parameters (prepared once per connection; autocommit: the statement is its own
// transaction), and only after the result is PGRES_COMMAND_OK answers the batch's calls.
// One batch in flight at a time, so seq numbers, assigned in memory from
// listener_register's last_seq + 1, follow commit order.
//
// Also owns the listener's other database duties, all on the same non-blocking connection:
// registration, the key cache (reloaded on NOTIFY pgwatch_rpc_keys), last_used_at, the
// spool size cap, daily partitions and the listener_status row.
#pragma once
#include "core/config/listener_settings.hpp"
#include "core/core_only.hpp"
#include "core/h2/call.hpp"
#include "core/loop/event_loop.hpp"
#include "core/spool/pg_session.hpp"
#include "core/spool/writer_stats.hpp"

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace pgwatch_rpc::spool {

struct CommitterOptions {
	std::string listener_name = "local";
	config::AckMode ack = config::AckMode::kDurable;
	int batch_max_envelopes = 256;
	int batch_linger_us = 0;
	int64_t spool_max_size = 0; // bytes; 0 = no cap
};

class GroupCommitter : public h2::CallSink {
public:
	using CompleteFn = std::function<void(const h2::CallRef &, grpc::StatusCode, const std::string &)>;
	// status_json renders the stats object of listener_status (called about once a second).
	GroupCommitter(loop::EventLoop &loop, std::string conninfo, CommitterOptions options, h2::KeyStore *keys,
	               CompleteFn complete, std::function<std::string()> status_json);
	~GroupCommitter() override;

	void Start();
	// Apply takes new options (SIGHUP); the ack mode is re-sent on the connection.
	void Apply(const CommitterOptions &options);

	std::optional<h2::Refusal> Submit(h2::CallRef ref, h2::SpoolRecord record) override;
	void Cancel(h2::CallRef ref) override;

	// Drained: nothing queued and no batch in flight (graceful shutdown waits for this).
	bool Drained() const { return pending_.empty() && !batch_; }
	bool connected() const { return ready_; }
	const WriterStats &stats() const { return stats_; }
	// RecordError notes an error for listener_status' last_error (also used by the listener).
	void RecordError(const std::string &message);

private:
	struct Pending {
		h2::CallRef ref;
		h2::SpoolRecord record;
		int64_t queued_at_us = 0;
		size_t payload_bytes = 0; // kept after the payload moved into the batch's parameters
	};
	struct Batch {
		std::vector<Pending> calls;
		int64_t sent_at_us = 0;
		int64_t first_seq = 0;
	};
	void OnConnected();
	void OnDisconnected(const std::string &reason, bool was_connecting);
	void ScheduleReconnect();
	void ScheduleTick();
	void RunSetup(size_t step);
	void Pump();
	bool SendBatch();
	void OnBatchDone(PgOutcome &outcome);
	void FailPending(grpc::StatusCode code, const std::string &message);
	bool SendKeyReload();
	bool SendLastUsed();
	bool SendStatus();
	bool SendSpoolSize();
	bool SendPartitions();
	void SendBackground(const PgQuery &query, const char *what, std::function<void(PgOutcome &)> on_ok);
	std::string UnavailableMessage() const;

	loop::EventLoop &loop_;
	CommitterOptions options_;
	h2::KeyStore *keys_;
	CompleteFn complete_;
	std::function<std::string()> status_json_;
	std::unique_ptr<PgSession> pg_;

	bool ready_ = false; // connected and set up
	std::string last_connect_error_ = "not connected yet";
	int64_t backoff_us_ = 0;
	loop::TimerId reconnect_timer_ = 0;
	loop::TimerId linger_timer_ = 0;
	loop::TimerId tick_timer_ = 0;

	int listener_id_ = 0;
	int64_t next_seq_ = 1;
	std::deque<Pending> pending_;
	std::unique_ptr<Batch> batch_;

	bool reload_keys_ = false;
	bool resend_ack_ = false;
	int64_t next_spool_poll_us_ = 0;
	int64_t next_partitions_us_ = 0;
	int64_t next_status_us_ = 0;
	int64_t spool_size_ = 0;
	std::unordered_map<std::string, int64_t> last_used_sent_us_; // key → when we last wrote it
	std::vector<std::string> last_used_due_;
	std::string last_status_sent_;
	std::string started_at_;
	WriterStats stats_;
};

} // namespace pgwatch_rpc::spool
