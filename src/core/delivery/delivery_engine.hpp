// DeliveryEngine: moves spool records to one sink (DESIGN.md §4.4, SINKS.md §0.2). One
// RunOnce call is one cycle: read the records after the cursors within the batch bounds,
// linger for a non-full batch, apply the routes, call the sink, then advance the cursors
// (with dead letters for rejected records) or schedule a retry with backoff. Pure logic
// over SpoolPort and EngineClock: no database, no network of its own.
#pragma once
#include "core/core_only.hpp"
#include "core/delivery/backoff.hpp"
#include "core/delivery/delivery_config.hpp"
#include "core/delivery/spool_port.hpp"
#include "core/sink/sink.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace pgwatch_rpc::delivery {

// What one RunOnce did.
enum class Cycle {
	kIdle,           // nothing after the cursors
	kLingering,      // a non-full batch waits for more records (flush_interval_ms)
	kDelivered,      // the sink took a batch; cursors advanced
	kSkipped,        // every record read was routed away; cursors advanced
	kRetryScheduled, // the sink failed; the same batch is retried after a backoff
	kBackingOff,     // waited for the backoff of an earlier failure
	kDeadLettered,   // max_retries exceeded: the batch went to the dead letters
	kStopped,        // the sink gave up waiting, the process is stopping: the batch is kept
};

// RunOnce sleeps at most this long, so its caller can check for signals and the config.
constexpr int64_t kMaxCycleSleepMs = 1000;
// Poll interval while the spool has nothing new or a batch lingers (the listener does not
// notify us yet).
constexpr int64_t kIdlePollMs = 200;
// Records held in memory per batch, whatever max_batch_rows says (control records count no
// rows; max_batch_bytes bounds the memory).
constexpr size_t kMaxRecordsPerBatch = 100000;

class DeliveryEngine {
public:
	// The engine keeps references to sink, port and clock: they must outlive it.
	DeliveryEngine(std::string sink_name, DeliveryConfig config, sink::Sink &sink, SpoolPort &port,
	               EngineClock &clock, RandomBelow random_below = DefaultRandom());

	// RunOnce does one cycle (see Cycle). Exceptions of the port propagate (the caller
	// logs, waits and calls again); a batch already delivered is then not sent again: its
	// progress is committed first on the next call. Exceptions of the sink are retries.
	Cycle RunOnce();

	// Report: the state and counters for sink_status.
	StatusReport Report() const;

private:
	struct Pending {
		sink::Batch batch;
		int64_t skipped = 0; // records of the read routed away
		int64_t failures = 0;
		int64_t retry_at_ms = 0; // monotonic
	};

	Cycle Attempt();
	void CommitProgress(Progress progress);

	std::string sink_name_;
	DeliveryConfig config_;
	sink::Sink &sink_;
	SpoolPort &port_;
	EngineClock &clock_;
	RandomBelow random_below_;
	std::optional<Pending> pending_;          // read, routed, not yet delivered
	std::optional<Progress> pending_commit_;  // delivered, progress not yet committed
	std::optional<int64_t> linger_started_ms_;
	DeliveryStats stats_;
	SinkState state_ = SinkState::kRunning;
};

} // namespace pgwatch_rpc::delivery
