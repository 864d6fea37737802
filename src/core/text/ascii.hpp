// Locale-free ASCII helpers shared by the parsers of network input (gRPC headers, percent
// encoding, hex from libpq) and of the settings file. Header-only: each is a few lines.
#pragma once
#include "core/core_only.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace pgwatch_rpc::text {

// TrimBlanks strips spaces and tabs: HTTP's optional white space around header values.
inline std::string_view TrimBlanks(std::string_view s) {
	while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
		s.remove_prefix(1);
	while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
		s.remove_suffix(1);
	return s;
}

inline bool IsAsciiSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// TrimSpace strips every ASCII white-space character (settings files, user input).
inline std::string_view TrimSpace(std::string_view s) {
	while (!s.empty() && IsAsciiSpace(s.front()))
		s.remove_prefix(1);
	while (!s.empty() && IsAsciiSpace(s.back()))
		s.remove_suffix(1);
	return s;
}

// HexDigitValue is 0..15 for a hex digit of either case, -1 otherwise.
inline int HexDigitValue(char c) {
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

// AppendLowerHex appends two lowercase hex digits per byte (digests, ids).
inline void AppendLowerHex(const unsigned char *bytes, size_t count, std::string *out) {
	static constexpr char kHex[] = "0123456789abcdef";
	for (size_t i = 0; i < count; i++) {
		out->push_back(kHex[bytes[i] >> 4]);
		out->push_back(kHex[bytes[i] & 15]);
	}
}

inline char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

} // namespace pgwatch_rpc::text
