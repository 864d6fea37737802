// Strict UTF-8 validation and repair (see utf8.hpp). Hot path of the wire scanner: every
// string and key of every row passes through CheckText.
#include "core/wire/utf8.hpp"

#include <cstring>

namespace pgwatch_rpc::wire {

namespace {

constexpr uint64_t kHighBits = 0x8080808080808080ULL;
constexpr uint64_t kLowBits = 0x0101010101010101ULL;

// True if any byte of v is zero (the classic "haszero" bit trick).
inline bool HasZeroByte(uint64_t v) {
	return ((v - kLowBits) & ~v & kHighBits) != 0;
}

inline bool IsContinuation(uint8_t c) {
	return (c & 0xC0) == 0x80;
}

} // namespace

size_t Utf8SequenceLength(const uint8_t *s, size_t n) {
	if (n == 0)
		return 0;
	uint8_t c = s[0];
	if (c < 0x80)
		return 1;
	// RFC 3629 §4: the second byte's range depends on the lead byte; this excludes overlong
	// forms (C0, C1, E0 80..9F, F0 80..8F), surrogates (ED A0..BF) and > U+10FFFF (F4 90.., F5..).
	uint8_t lo = 0x80, hi = 0xBF;
	size_t len;
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else {
		return 0;
	}
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (!IsContinuation(s[i]))
			return 0;
	return len;
}

TextCheck CheckText(const uint8_t *s, size_t n, size_t *bad_offset) {
	size_t i = 0;
	while (i < n) {
		if (n - i >= 8) {
			uint64_t v;
			std::memcpy(&v, s + i, 8);
			if ((v & kHighBits) == 0 && !HasZeroByte(v)) {
				i += 8;
				continue;
			}
		}
		uint8_t c = s[i];
		if (c == 0) {
			*bad_offset = i;
			return TextCheck::kNul;
		}
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t len = Utf8SequenceLength(s + i, n - i);
		if (len == 0) {
			*bad_offset = i;
			return TextCheck::kInvalidUtf8;
		}
		i += len;
	}
	return TextCheck::kOk;
}

void AppendUtf8Sanitized(std::string_view text, std::string *out) {
	const auto *s = reinterpret_cast<const uint8_t *>(text.data());
	size_t n = text.size();
	size_t run_start = 0, i = 0;
	while (i < n) {
		size_t len = Utf8SequenceLength(s + i, n - i);
		if (len != 0) {
			i += len;
			continue;
		}
		out->append(text.data() + run_start, i - run_start);
		out->append("\xEF\xBF\xBD");
		i++;
		run_start = i;
	}
	out->append(text.data() + run_start, n - run_start);
}

size_t Utf8PrefixLength(std::string_view text, size_t max_bytes) {
	if (text.size() <= max_bytes)
		return text.size();
	const auto *s = reinterpret_cast<const uint8_t *>(text.data());
	size_t i = 0;
	while (i < max_bytes) {
		size_t len = Utf8SequenceLength(s + i, text.size() - i);
		if (len == 0)
			len = 1;
		if (i + len > max_bytes)
			break;
		i += len;
	}
	return i;
}

} // namespace pgwatch_rpc::wire
