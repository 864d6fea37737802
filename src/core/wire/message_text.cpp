// Quoting of untrusted text for error messages (see message_text.hpp).
#include "core/wire/message_text.hpp"

#include "core/wire/utf8.hpp"

#include <cstdint>

namespace pgwatch_rpc::wire {

namespace {

void AppendHexEscape(uint8_t c, std::string *out) {
	static const char kHex[] = "0123456789abcdef";
	out->append("\\x");
	out->push_back(kHex[c >> 4]);
	out->push_back(kHex[c & 15]);
}

} // namespace

void AppendQuoted(std::string_view text, std::string *out, size_t max_chars) {
	const auto *s = reinterpret_cast<const uint8_t *>(text.data());
	size_t n = text.size();
	size_t i = 0, chars = 0;
	out->push_back('"');
	while (i < n && chars < max_chars) {
		uint8_t c = s[i];
		chars++;
		if (c >= 0x20 && c < 0x7F) {
			if (c == '"' || c == '\\')
				out->push_back('\\');
			out->push_back(static_cast<char>(c));
			i++;
			continue;
		}
		if (c < 0x80) {
			switch (c) {
			case '\n':
				out->append("\\n");
				break;
			case '\r':
				out->append("\\r");
				break;
			case '\t':
				out->append("\\t");
				break;
			default:
				AppendHexEscape(c, out);
			}
			i++;
			continue;
		}
		size_t len = Utf8SequenceLength(s + i, n - i);
		// C1 controls (U+0080..U+009F) are valid UTF-8 but invisible: escape them too.
		if (len == 0 || (len == 2 && c == 0xC2 && s[i + 1] < 0xA0)) {
			for (size_t k = 0; k < (len == 0 ? 1 : len); k++)
				AppendHexEscape(s[i + k], out);
			i += len == 0 ? 1 : len;
			continue;
		}
		out->append(text.data() + i, len);
		i += len;
	}
	out->push_back('"');
	if (i < n) {
		out->append("... (");
		out->append(std::to_string(n));
		out->append(" bytes)");
	}
}

std::string Quoted(std::string_view text, size_t max_chars) {
	std::string out;
	AppendQuoted(text, &out, max_chars);
	return out;
}

} // namespace pgwatch_rpc::wire
