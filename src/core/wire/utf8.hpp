// UTF-8 checks for text that arrives from the network and leaves as JSON, gRPC headers or
// protobuf strings. Strict RFC 3629: no overlong forms, no surrogates, nothing above
// U+10FFFF — the same rules as libprotobuf's proto3 check and PostgreSQL's UTF8 encoding.
#pragma once
#include "core/core_only.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace pgwatch_rpc::wire {

enum class TextCheck {
	kOk,
	kInvalidUtf8,
	kNul, // valid UTF-8, but contains U+0000 (jsonb and text columns cannot store it)
};

// CheckText validates n bytes at s. On failure *bad_offset is the offset of the first
// offending byte. Fast path: eight ASCII bytes per step.
TextCheck CheckText(const uint8_t *s, size_t n, size_t *bad_offset);

// Utf8SequenceLength gives the length of the valid UTF-8 sequence starting at s[0]
// (1..4), or 0 if s[0..n) does not start with one.
size_t Utf8SequenceLength(const uint8_t *s, size_t n);

// AppendUtf8Sanitized appends text to *out replacing every byte that does not start a valid
// sequence by U+FFFD, so that what we send as a proto3 string or grpc-message is valid UTF-8.
void AppendUtf8Sanitized(std::string_view text, std::string *out);

// Utf8PrefixLength returns the largest length <= max_bytes that does not cut a valid UTF-8
// sequence of text in half (invalid bytes count as one-byte characters).
size_t Utf8PrefixLength(std::string_view text, size_t max_bytes);

} // namespace pgwatch_rpc::wire
