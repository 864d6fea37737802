// JSON string escaping and number formatting (see json_text.hpp).
#include "core/wire/json_text.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>

namespace pgwatch_rpc::wire {

namespace {

// 0 = copy as is; otherwise the character after the backslash ('u' = \u00XX).
struct EscapeTable {
	char code[256];
	constexpr EscapeTable() : code() {
		for (int c = 0; c < 0x20; c++)
			code[c] = 'u';
		code[static_cast<unsigned char>('\b')] = 'b';
		code[static_cast<unsigned char>('\f')] = 'f';
		code[static_cast<unsigned char>('\n')] = 'n';
		code[static_cast<unsigned char>('\r')] = 'r';
		code[static_cast<unsigned char>('\t')] = 't';
		code[static_cast<unsigned char>('"')] = '"';
		code[static_cast<unsigned char>('\\')] = '\\';
	}
};
constexpr EscapeTable kEscape;

constexpr double kTwoTo53 = 9007199254740992.0;

} // namespace

void AppendJsonString(std::string_view text, std::string *out) {
	static const char kHex[] = "0123456789abcdef";
	out->push_back('"');
	size_t run_start = 0;
	for (size_t i = 0; i < text.size(); i++) {
		char code = kEscape.code[static_cast<unsigned char>(text[i])];
		if (code == 0)
			continue;
		out->append(text.data() + run_start, i - run_start);
		run_start = i + 1;
		char esc[6] = {'\\', code};
		size_t esc_len = 2;
		if (code == 'u') {
			unsigned char c = static_cast<unsigned char>(text[i]);
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = kHex[c >> 4];
			esc[5] = kHex[c & 15];
			esc_len = 6;
		}
		out->append(esc, esc_len);
	}
	out->append(text.data() + run_start, text.size() - run_start);
	out->push_back('"');
}

void AppendJsonNumber(double value, std::string *out) {
	if (std::isnan(value)) {
		out->append("\"NaN\"");
		return;
	}
	if (std::isinf(value)) {
		out->append(value > 0 ? "\"Infinity\"" : "\"-Infinity\"");
		return;
	}
	char buf[32];
	std::to_chars_result res;
	if (std::fabs(value) < kTwoTo53 && value == std::trunc(value))
		res = std::to_chars(buf, buf + sizeof buf, static_cast<int64_t>(value));
	else
		res = std::to_chars(buf, buf + sizeof buf, value); // shortest round-trip form
	out->append(buf, res.ptr);
}

} // namespace pgwatch_rpc::wire
