// The boundary between the HTTP/2 layer and the group committer. The h2 session turns a
// complete, authenticated, validated request into a SpoolRecord and hands it to a CallSink;
// the sink answers later through the session's Complete(), once the record's batch has
// committed (DESIGN.md §4.2: a success reply only after the commit). Unit tests put a fake
// sink here, so the HTTP/2 side is tested without a database.
#pragma once
#include "core/auth/key_cache.hpp"
#include "core/core_only.hpp"
#include "core/grpc/request_path.hpp"
#include "core/grpc/status.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pgwatch_rpc::h2 {

using grpc::Method;
// The Receiver methods, for per-method statistics: index = MethodIndex(method).
constexpr int kMethodCount = 3;
constexpr int MethodIndex(Method method) {
	return static_cast<int>(method) - static_cast<int>(Method::kUpdateMeasurements);
}

// Identifies one call across the process: connections are numbered, never reused.
struct CallRef {
	uint64_t connection_id = 0;
	int32_t stream_id = 0;
	bool operator==(const CallRef &other) const {
		return connection_id == other.connection_id && stream_id == other.stream_id;
	}
};

// One spool row (DESIGN.md §4.3). payload holds the message bytes exactly as received.
struct SpoolRecord {
	std::string key_name;
	std::string_view kind; // "measurement", "sync" or "define" (static storage)
	std::string dbname;
	std::string metric;
	int32_t nrows = 0;
	std::string payload;
	int64_t deadline_us = 0; // monotonic; 0 = the client set no grpc-timeout
};

struct Refusal {
	grpc::StatusCode code;
	std::string message;
};

// The key table as the listener knows it. loaded stays false until the first load from the
// database succeeded: until then calls are answered UNAVAILABLE, not UNAUTHENTICATED.
struct KeyStore {
	auth::KeyCache cache;
	bool loaded = false;
};

class CallSink {
public:
	virtual ~CallSink() = default;
	// Submit queues the record for the next batch, or refuses it at once (database down,
	// spool over its cap): then the caller replies with the refusal and nothing is queued.
	virtual std::optional<Refusal> Submit(CallRef ref, SpoolRecord record) = 0;
	// Cancel: the client reset the stream; drop the record if it is still only queued.
	virtual void Cancel(CallRef ref) = 0;
};

} // namespace pgwatch_rpc::h2
