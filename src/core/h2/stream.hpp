// Per-request state of one HTTP/2 stream (GRPC.md §4): what the header callbacks recorded,
// the body being deframed, and the reply being sent. Owned by ServerSession; nghttp2 keeps
// a raw pointer to it as stream user data until on_stream_close.
#pragma once
#include "core/core_only.hpp"
#include "core/grpc/framing.hpp"
#include "core/grpc/status.hpp"
#include "core/h2/call.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace pgwatch_rpc::h2 {

struct Stream {
	enum class Phase {
		kHeaders,  // request HEADERS not complete yet
		kBody,     // validated and authenticated; reading DATA
		kQueued,   // handed to the CallSink, waiting for the commit
		kAnswered, // a reply was decided or submitted; further DATA is dropped
	};
	int32_t id = 0;
	Phase phase = Phase::kHeaders;
	int64_t started_us = 0;
	int64_t deadline_us = 0; // from grpc-timeout; 0 = none

	// Recorded by on_header_callback; bounded by the header-list byte limit.
	size_t header_bytes = 0;
	std::string method, path, content_type, grpc_timeout, grpc_encoding;
	bool has_grpc_timeout = false; // an empty value is present, and malformed
	std::vector<std::string> usernames, passwords;

	Method call = Method::kUnknown;
	bool method_known = false;    // path named a Receiver method: count the call's status
	bool proto_suffix = false;    // client said application/grpc+proto: echo it
	bool unauthenticated = false; // credentials failed; only an empty SyncMetric ping may pass
	std::string key_name;         // authenticated key
	std::vector<std::string> key_sources;
	grpc::MessageEncoding encoding = grpc::MessageEncoding::kIdentity;
	std::unique_ptr<grpc::UnaryMessageReader> body;
	bool end_stream = false;

	// The reply decided for this stream, submitted after nghttp2 returns to us.
	bool reply_pending = false;
	int http_status = 200; // 405 / 415 replies carry no gRPC status
	grpc::StatusCode status = grpc::StatusCode::kOk;
	std::string message;
	// The DATA of a success reply, read by the data provider.
	std::string response;
	size_t response_sent = 0;
	bool reset_after_reply = false; // early close once the Trailers-Only HEADERS are sent
};

} // namespace pgwatch_rpc::h2
