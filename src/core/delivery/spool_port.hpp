// SpoolPort: the delivery engine's view of the spool and of its own bookkeeping tables
// (cursors, dead letters, status). The engine is pure logic on top of this interface; the
// child uses the libpq implementation (pg_spool_port.hpp), the unit tests an in-memory one.
#pragma once
#include "core/core_only.hpp"
#include "core/delivery/delivery_stats.hpp"
#include "core/sink/sink.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace pgwatch_rpc::delivery {

// ReadLimits bound one read. The port returns at most max_records records, and stops after
// the record whose payload makes the running total reach max_bytes, or whose measurement rows
// make their total reach max_rows (so each total is below its bound plus one record). The
// engine cuts the batch precisely afterwards; reading no further than that saves reading the
// same records again for the next batch.
struct ReadLimits {
	size_t max_records = 0;
	int64_t max_bytes = 0;
	int64_t max_rows = 0;
};

struct DeadLetter {
	sink::Record record;
	std::string error;
};

// Progress is what one finished batch changes, applied atomically (one transaction).
struct Progress {
	std::vector<sink::CursorPosition> advance_to;
	// write_cursors false: the sink already moved the cursors (and stored its dead letters)
	// in its own transaction (Outcome::cursor_committed); the port only updates its
	// in-memory positions.
	bool write_cursors = true;
	std::vector<DeadLetter> dead_letters;
};

struct StatusReport {
	SinkState state = SinkState::kRunning;
	DeliveryStats stats;
};

class SpoolPort {
public:
	virtual ~SpoolPort() = default;
	// ReadBatch returns the records after the sink's cursors, in (listener_id, seq) order,
	// within `limits`. The port owns the cursor positions (loading and initialising them);
	// only Commit moves them. Throws std::runtime_error when the spool cannot be read.
	virtual std::vector<sink::Record> ReadBatch(const ReadLimits &limits) = 0;
	// Commit applies a batch's progress: dead letters and cursor positions together.
	// Throws std::runtime_error on failure (nothing applied).
	virtual void Commit(const Progress &progress) = 0;
	// PublishStatus stores the child's state and counters. Throws std::runtime_error.
	virtual void PublishStatus(const StatusReport &report) = 0;
};

// EngineClock: time and sleeping, replaceable by a scripted clock in tests.
class EngineClock {
public:
	virtual ~EngineClock() = default;
	virtual int64_t MonotonicMs() = 0;
	virtual int64_t WallUs() = 0;
	// SleepMs sleeps up to ms milliseconds; it may return early (a signal arrived).
	virtual void SleepMs(int64_t ms) = 0;
	// StopRequested: the process is asked to stop. A retry the sink reports then is taken as
	// the stop's doing (an abandoned request), not as a failure of the target.
	virtual bool StopRequested() { return false; }
};

} // namespace pgwatch_rpc::delivery
