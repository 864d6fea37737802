// grpc-message encoding and decoding (see percent.hpp).
#include "core/grpc/percent.hpp"
#include "core/text/ascii.hpp"

#include "core/wire/utf8.hpp"

#include <algorithm>
#include <cstdint>

namespace pgwatch_rpc::grpc {

namespace {

bool NeedsEscape(uint8_t c) {
	return c < 0x20 || c > 0x7E || c == '%';
}

} // namespace

std::string EncodeGrpcMessage(std::string_view text, size_t max_encoded_bytes) {
	static const char kHex[] = "0123456789ABCDEF";
	static constexpr std::string_view kEllipsis = "...";
	std::string clean;
	wire::AppendUtf8Sanitized(text, &clean);
	std::string out;
	out.reserve(std::min(clean.size(), max_encoded_bytes));
	const auto *s = reinterpret_cast<const uint8_t *>(clean.data());
	size_t full_cost = 0;
	for (uint8_t c : clean)
		full_cost += NeedsEscape(c) ? 3 : 1;
	// Cut only when the whole text does not fit, and then leave room for the ellipsis.
	size_t budget = full_cost <= max_encoded_bytes
	                    ? max_encoded_bytes
	                    : max_encoded_bytes - std::min(max_encoded_bytes, kEllipsis.size());
	size_t i = 0;
	while (i < clean.size()) {
		// Encode one whole character at a time so a cut never splits it.
		size_t len = wire::Utf8SequenceLength(s + i, clean.size() - i);
		if (len == 0)
			len = 1; // unreachable after sanitizing; keeps the loop advancing regardless
		size_t cost = 0;
		for (size_t k = 0; k < len; k++)
			cost += NeedsEscape(s[i + k]) ? 3 : 1;
		if (out.size() + cost > budget)
			break;
		for (size_t k = 0; k < len; k++) {
			uint8_t c = s[i + k];
			if (NeedsEscape(c)) {
				out.push_back('%');
				out.push_back(kHex[c >> 4]);
				out.push_back(kHex[c & 15]);
			} else {
				out.push_back(static_cast<char>(c));
			}
		}
		i += len;
	}
	if (i < clean.size() && out.size() + kEllipsis.size() <= max_encoded_bytes)
		out.append(kEllipsis);
	return out;
}

std::string DecodeGrpcMessage(std::string_view value) {
	std::string out;
	out.reserve(value.size());
	for (size_t i = 0; i < value.size(); i++) {
		if (value[i] == '%' && i + 2 < value.size() && text::HexDigitValue(value[i + 1]) >= 0 &&
		    text::HexDigitValue(value[i + 2]) >= 0) {
			out.push_back(static_cast<char>(text::HexDigitValue(value[i + 1]) * 16 + text::HexDigitValue(value[i + 2])));
			i += 2;
		} else {
			out.push_back(value[i]);
		}
	}
	return out;
}

} // namespace pgwatch_rpc::grpc
