// The sink interface (DESIGN.md §4.4, issue #3): what every sink module implements. Sinks
// run in `pgwatch-rpc deliver <sink>` child processes, never in PostgreSQL processes, and
// see no PostgreSQL headers. The delivery engine (core/delivery) reads the spool, applies
// the routes, calls Deliver with a batch, and acts on the Outcome.
#pragma once
#include "core/core_only.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace pgwatch_rpc::sink {

enum class RecordKind { kMeasurement, kSync, kDefine };

// Record is one spool row: the message bytes exactly as received plus what routing needs.
struct Record {
	int32_t listener_id = 0;
	int64_t seq = 0;
	int64_t received_at_us = 0; // unix microseconds
	RecordKind kind = RecordKind::kMeasurement;
	std::string key_name;
	std::string dbname;
	std::string metric;
	int32_t nrows = 0;
	std::string payload; // protobuf bytes: MeasurementEnvelope, SyncReq or Struct
};

// CursorPosition: where the sink's cursor for one listener stands once a batch is done.
struct CursorPosition {
	int32_t listener_id = 0;
	int64_t seq = 0;
};

struct Batch {
	std::string sink_name;
	std::vector<Record> records;         // in (listener_id, seq) order, routes applied
	std::vector<CursorPosition> advance_to; // cursor positions after this batch
	size_t payload_bytes = 0;
};

// RejectedRecord: the target refused this record as invalid; it goes to the dead-letter
// table with the reason and is not retried.
struct RejectedRecord {
	size_t record_index = 0;
	std::string reason;
};

struct Outcome {
	enum class Status {
		kDelivered, // everything not in `rejected` is durably at the target
		kRetry,     // nothing (more) can be assumed delivered: retry the same batch later
	};
	Status status = Status::kDelivered;
	std::string error;           // kRetry: why, for the log and rpc_stat_sinks.last_error
	int64_t retry_after_ms = -1; // kRetry: minimum wait the target asked for; -1 = engine's backoff
	std::vector<RejectedRecord> rejected;
	// A sink that writes into the hub's own database may commit the batch's progress in the
	// same transaction as the data: move the cursors (Batch::advance_to) and store the
	// `rejected` records in pgwatch_rpc.dead_letters, making delivery exactly-once even after
	// a crash. It says so here; the engine then writes neither itself (it still counts them).
	bool cursor_committed = false;
	// kRetry because the process is stopping (the sink's Waiter said so, core/sink/waiter.hpp):
	// not a failure of the target, so the engine neither backs off nor counts it toward
	// max_retries; the batch stays for the next delivery process.
	bool stopped = false;

	static Outcome Delivered() { return Outcome{}; }
	static Outcome Retry(std::string why, int64_t retry_after_ms = -1) {
		Outcome o;
		o.status = Status::kRetry;
		o.error = std::move(why);
		o.retry_after_ms = retry_after_ms;
		return o;
	}
	static Outcome Stopped(std::string why) {
		Outcome o = Retry(std::move(why));
		o.stopped = true;
		return o;
	}
};

class Sink {
public:
	virtual ~Sink() = default;
	// Deliver sends one batch. It may block on the network (the engine holds no database
	// transaction open meanwhile); it waits only through its Waiter (core/sink/waiter.hpp).
	// Throwing is the same as Outcome::Retry(what()).
	virtual Outcome Deliver(const Batch &batch) = 0;
	// WantsControlRecords: whether SyncMetric and DefineMetrics records are passed to this
	// sink; if not, the engine skips them (and still moves the cursor past them).
	virtual bool WantsControlRecords() const { return false; }
};

} // namespace pgwatch_rpc::sink
