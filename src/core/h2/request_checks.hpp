// The gRPC decisions about one request that need no nghttp2 state (GRPC.md §5, §7;
// DESIGN.md §2): recording header fields, validating request headers in the prescribed
// order, and turning a complete message into a spool record or a refusal.
#pragma once
#include "core/core_only.hpp"
#include "core/h2/stream.hpp"
#include "core/wire/limits.hpp"

#include <string>
#include <string_view>

namespace pgwatch_rpc::h2 {

// Same text whatever was wrong (DESIGN.md §6), and it tells pgwatch users what to fix.
extern const char *const kUnauthenticatedMessage;

// pgwatch probes a new connection with SyncMetric(InvalidOp) before it knows whether its key
// is right, and only UNAVAILABLE fails that probe (DESIGN.md §2). We therefore let a
// SyncMetric with failed credentials run to the end of its body and answer OK if, and only
// if, the message is empty (proto3's encoding of DBName="", MetricName="", InvalidOp): it
// carries no data and touches nothing. Anything else is UNAUTHENTICATED, and such a body
// is cut off at this many bytes.
constexpr size_t kMaxUnauthenticatedBody = 1024;

// RecordHeader stores the fields the checks need (lowercase names, as HTTP/2 requires).
// username/password are kept per occurrence so duplicates are detected; other metadata
// and unknown grpc-* fields are ignored.
void RecordHeader(Stream *stream, std::string_view name, std::string_view value);

struct HeaderVerdict {
	int http_status = 0; // 405 or 415: a plain HTTP answer
	grpc::StatusCode code = grpc::StatusCode::kOk;
	std::string message;
	Method method = Method::kUnknown;
	bool proto_suffix = false;
};

// CheckRequestHeaders: GRPC.md §5 steps 1–3 (method, content-type, path).
HeaderVerdict CheckRequestHeaders(const Stream &stream);

struct CallVerdict {
	bool store = false;           // record is to be queued for the spool
	bool unauthenticated = false; // credentials failed and this is not an empty ping
	grpc::StatusCode code = grpc::StatusCode::kOk;
	std::string message;
	SpoolRecord record;
};

// CheckCall validates the complete message of an authenticated (or ping-candidate) call
// with the wire scanner and the key's source restrictions. Does not copy the payload.
CallVerdict CheckCall(const Stream &stream, const std::string &message, const wire::Limits &limits);

} // namespace pgwatch_rpc::h2
