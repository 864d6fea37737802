// grpc-message percent-encoding (GRPC.md §9, grpc PROTOCOL-HTTP2.md "Status-Message"):
// the text is UTF-8, every byte outside 0x20..0x7E and '%' itself becomes %XX. Raw
// newlines or non-ASCII in a header make clients report a protocol error instead of our
// message, and PostgreSQL error texts contain both.
#pragma once
#include "core/core_only.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace pgwatch_rpc::grpc {

constexpr size_t kMaxGrpcMessageBytes = 1024;

// EncodeGrpcMessage returns the header value for text: invalid UTF-8 is first replaced by
// U+FFFD; if the encoded form would exceed max_encoded_bytes, the text is cut at a
// character boundary and "..." appended so that the result fits.
std::string EncodeGrpcMessage(std::string_view text, size_t max_encoded_bytes = kMaxGrpcMessageBytes);

// DecodeGrpcMessage is the lenient decoder clients use: %XX (either case) becomes the
// byte; a '%' not followed by two hex digits is kept as is. For tests and tools.
std::string DecodeGrpcMessage(std::string_view value);

} // namespace pgwatch_rpc::grpc
