// The unary request message reader (see framing.hpp). Memory is bounded by the limit:
// the uncompressed payload buffer grows only as bytes arrive and never beyond the declared
// length; the inflate output never beyond max + 1 bytes (one byte over proves "too big").
#include "core/grpc/framing.hpp"

#include <zlib.h>

#include <algorithm>

namespace pgwatch_rpc::grpc {

namespace {

constexpr size_t kInflateInitialOutput = 64 * 1024;

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
	if (a.size() != b.size())
		return false;
	for (size_t i = 0; i < a.size(); i++) {
		char x = a[i], y = b[i];
		if (x >= 'A' && x <= 'Z')
			x = static_cast<char>(x - 'A' + 'a');
		if (x != y)
			return false;
	}
	return true;
}

} // namespace

bool ParseMessageEncoding(std::string_view header_value, MessageEncoding *encoding) {
	if (header_value.empty() || EqualsIgnoreCase(header_value, "identity"))
		*encoding = MessageEncoding::kIdentity;
	else if (EqualsIgnoreCase(header_value, "gzip"))
		*encoding = MessageEncoding::kGzip;
	else if (EqualsIgnoreCase(header_value, "deflate"))
		*encoding = MessageEncoding::kDeflate;
	else
		return false;
	return true;
}

// zlib state of one compressed message; fresh per message (GRPC.md §8).
struct UnaryMessageReader::Inflater {
	z_stream strm{};
	bool initialized = false;
	bool stream_end = false; // the current zlib/gzip stream is complete
	size_t produced = 0;     // decompressed bytes at the front of message_

	~Inflater() {
		if (initialized)
			inflateEnd(&strm);
	}
};

UnaryMessageReader::UnaryMessageReader(size_t max_message_bytes, MessageEncoding encoding)
    : max_(max_message_bytes), encoding_(encoding) {}

UnaryMessageReader::~UnaryMessageReader() = default;

CallStatus UnaryMessageReader::Fail(StatusCode code, std::string message) {
	state_ = State::kFailed;
	failure_ = CallStatus{code, std::move(message)};
	message_.clear();
	message_.shrink_to_fit();
	inflater_.reset();
	return failure_;
}

CallStatus UnaryMessageReader::Feed(const uint8_t *data, size_t size) {
	while (size > 0) {
		switch (state_) {
		case State::kFailed:
			return failure_;
		case State::kDone:
			return Fail(StatusCode::kUnimplemented,
			            "unary call received a second request message; send exactly one message per call");
		case State::kPrefix: {
			size_t n = std::min(size, sizeof prefix_ - prefix_have_);
			std::copy(data, data + n, prefix_ + prefix_have_);
			prefix_have_ += n;
			data += n;
			size -= n;
			if (prefix_have_ == sizeof prefix_) {
				CallStatus status = StartPayload();
				if (!status.ok())
					return status;
			}
			break;
		}
		case State::kPayload: {
			size_t n = std::min(size, length_ - received_);
			CallStatus status = AppendPayload(data, n);
			if (!status.ok())
				return status;
			data += n;
			size -= n;
			break;
		}
		}
	}
	return state_ == State::kFailed ? failure_ : CallStatus{};
}

CallStatus UnaryMessageReader::StartPayload() {
	uint8_t flag = prefix_[0];
	length_ =
	    (size_t{prefix_[1]} << 24) | (size_t{prefix_[2]} << 16) | (size_t{prefix_[3]} << 8) | prefix_[4];
	if (flag > 1)
		return Fail(StatusCode::kInternal, "invalid compressed-flag byte " + std::to_string(flag) +
		                                       " in the message prefix (must be 0 or 1)");
	if (length_ > max_)
		return Fail(StatusCode::kResourceExhausted, "received message larger than max (" +
		                                                std::to_string(length_) + " vs. " +
		                                                std::to_string(max_) + ")");
	compressed_ = flag == 1;
	if (compressed_) {
		if (encoding_ == MessageEncoding::kIdentity)
			return Fail(
			    StatusCode::kInternal,
			    "compressed flag set on a message, but the call's grpc-encoding is identity or absent");
		inflater_ = std::make_unique<Inflater>();
		int window_bits = encoding_ == MessageEncoding::kGzip ? 15 + 16 : 15; // gRPC "deflate" = zlib format
		if (inflateInit2(&inflater_->strm, window_bits) != Z_OK)
			return Fail(StatusCode::kResourceExhausted, "could not start decompression: out of memory");
		inflater_->initialized = true;
	}
	state_ = State::kPayload;
	if (length_ == 0)
		return AppendPayload(nullptr, 0);
	return CallStatus{};
}

void UnaryMessageReader::GrowTo(size_t needed) {
	if (needed <= message_.capacity())
		return;
	// Double, but never past the declared length: a lying prefix costs only what was sent.
	message_.reserve(std::min(std::max(needed, 2 * message_.capacity()), length_));
}

CallStatus UnaryMessageReader::AppendPayload(const uint8_t *data, size_t size) {
	received_ += size;
	if (compressed_) {
		CallStatus status = Inflate(data, size);
		if (!status.ok())
			return status;
	} else if (size > 0) {
		GrowTo(message_.size() + size);
		message_.append(reinterpret_cast<const char *>(data), size);
	}
	if (received_ < length_)
		return CallStatus{};
	state_ = State::kDone;
	return compressed_ ? FinishInflate() : CallStatus{};
}

CallStatus UnaryMessageReader::Inflate(const uint8_t *data, size_t size) {
	Inflater &inf = *inflater_;
	z_stream &strm = inf.strm;
	strm.next_in = const_cast<Bytef *>(data);
	strm.avail_in = static_cast<uInt>(size);
	const char *kind = encoding_ == MessageEncoding::kGzip ? "gzip" : "deflate";
	// Each pass either consumes input, produces output into a bounded buffer, or ends:
	// the loop is bounded by size + max_ + 1.
	for (;;) {
		if (inf.stream_end) {
			if (strm.avail_in == 0)
				return CallStatus{};
			// Concatenated gzip members decompress to the concatenation (RFC 1952 §2.2, as
			// Go's gzip reader does); a zlib stream has nothing after its trailer.
			if (encoding_ != MessageEncoding::kGzip)
				return Fail(StatusCode::kInternal,
				            "could not decompress request message: data after the end of the "
				            "deflate stream");
			inflateReset(&strm);
			inf.stream_end = false;
		}
		if (inf.produced == message_.size()) {
			if (message_.size() > max_)
				return Fail(StatusCode::kResourceExhausted,
				            "decompressed message larger than max (more than " + std::to_string(max_) +
				                " bytes)");
			size_t grown = std::max(kInflateInitialOutput, 2 * message_.size());
			message_.resize(std::min(grown, max_ + 1));
		}
		strm.next_out = reinterpret_cast<Bytef *>(&message_[inf.produced]);
		strm.avail_out = static_cast<uInt>(std::min<size_t>(message_.size() - inf.produced, UINT32_MAX));
		uInt out_before = strm.avail_out, in_before = strm.avail_in;
		int rc = inflate(&strm, Z_NO_FLUSH);
		inf.produced += out_before - strm.avail_out;
		if (inf.produced > max_)
			return Fail(StatusCode::kResourceExhausted, "decompressed message larger than max (more than " +
			                                                std::to_string(max_) + " bytes)");
		switch (rc) {
		case Z_STREAM_END:
			inf.stream_end = true;
			break;
		case Z_OK:
		case Z_BUF_ERROR:
			// Out of input with room left for output: wait for the next chunk.
			if (strm.avail_in == 0 && strm.avail_out > 0)
				return CallStatus{};
			if (strm.avail_in == in_before && strm.avail_out == out_before)
				return Fail(StatusCode::kInternal,
				            std::string("could not decompress ") + kind + " request message: no progress");
			break;
		case Z_MEM_ERROR:
			return Fail(StatusCode::kResourceExhausted,
			            "could not decompress request message: out of memory");
		default:
			return Fail(StatusCode::kInternal,
			            std::string("could not decompress ") + kind +
			                " request message: " + (strm.msg != nullptr ? strm.msg : "corrupt data"));
		}
	}
}

CallStatus UnaryMessageReader::FinishInflate() {
	if (!inflater_->stream_end) {
		const char *kind = encoding_ == MessageEncoding::kGzip ? "gzip" : "deflate";
		return Fail(StatusCode::kInternal, std::string("could not decompress ") + kind +
		                                       " request message: compressed data is truncated");
	}
	message_.resize(inflater_->produced);
	inflater_.reset();
	return CallStatus{};
}

CallStatus UnaryMessageReader::Finish() {
	switch (state_) {
	case State::kFailed:
		return failure_;
	case State::kDone:
		return CallStatus{};
	case State::kPrefix:
		if (prefix_have_ == 0)
			return Fail(StatusCode::kUnimplemented, "unary call ended without a request message");
		return Fail(StatusCode::kInternal, "request ended inside a message prefix (" +
		                                       std::to_string(prefix_have_) + " of 5 bytes)");
	case State::kPayload:
		return Fail(StatusCode::kInternal, "request ended inside a message (" + std::to_string(received_) +
		                                       " of " + std::to_string(length_) + " bytes received)");
	}
	return failure_;
}

} // namespace pgwatch_rpc::grpc
