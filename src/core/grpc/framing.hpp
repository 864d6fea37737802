// Incremental reader of the one request message of a unary gRPC call (GRPC.md §8):
// DATA chunks of any size go in; the 5-byte prefix is checked the moment it is complete
// (nothing is allocated for a length over the limit); compressed messages are inflated in
// bounded steps; cardinality (exactly one message) is checked as data arrives and at
// END_STREAM. Knows nothing of HTTP/2: the listener feeds it on_data_chunk_recv bytes.
#pragma once
#include "core/core_only.hpp"
#include "core/grpc/call_status.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace pgwatch_rpc::grpc {

enum class MessageEncoding { kIdentity, kGzip, kDeflate };

// What we advertise in grpc-accept-encoding.
constexpr std::string_view kAcceptEncoding = "identity,gzip,deflate";

// ParseMessageEncoding maps a grpc-encoding header value (absent = identity) to an
// encoding. False for anything else: the call gets UNIMPLEMENTED with kAcceptEncoding.
bool ParseMessageEncoding(std::string_view header_value, MessageEncoding *encoding);

class UnaryMessageReader {
public:
	// max_message_bytes bounds both the received payload and its decompressed size.
	UnaryMessageReader(size_t max_message_bytes, MessageEncoding encoding);
	~UnaryMessageReader();
	UnaryMessageReader(const UnaryMessageReader &) = delete;
	UnaryMessageReader &operator=(const UnaryMessageReader &) = delete;

	// Feed consumes one DATA chunk. A non-OK result is final: reply with it and reset the
	// stream; later calls return the same status and read nothing.
	CallStatus Feed(const uint8_t *data, size_t size);

	// Finish is called at END_STREAM. OK means message() holds the complete, decompressed
	// request message.
	CallStatus Finish();

	const std::string &message() const { return message_; }
	std::string TakeMessage() { return std::move(message_); }

	// Bytes of the payload received so far (compressed size for compressed messages).
	size_t received_bytes() const { return received_; }

private:
	enum class State { kPrefix, kPayload, kDone, kFailed };

	CallStatus Fail(StatusCode code, std::string message);
	CallStatus StartPayload();
	CallStatus AppendPayload(const uint8_t *data, size_t size);
	CallStatus Inflate(const uint8_t *data, size_t size);
	CallStatus FinishInflate();
	void GrowTo(size_t needed);

	const size_t max_;
	const MessageEncoding encoding_;
	State state_ = State::kPrefix;
	uint8_t prefix_[5] = {};
	size_t prefix_have_ = 0;
	bool compressed_ = false;
	size_t length_ = 0;   // payload length from the prefix
	size_t received_ = 0; // payload bytes received
	std::string message_;
	CallStatus failure_;
	struct Inflater;
	std::unique_ptr<Inflater> inflater_;
};

} // namespace pgwatch_rpc::grpc
