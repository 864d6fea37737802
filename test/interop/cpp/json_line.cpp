// JSON string escaping with UTF-8 repair, and the one-line object builder.
#include "json_line.hpp"

#include <cstdio>

namespace pgwatch_rpc::interop {

namespace {

// Utf8SequenceLength returns the length of the valid UTF-8 sequence at text[i], or 0.
size_t Utf8SequenceLength(std::string_view text, size_t i) {
	auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
	unsigned char c = byte(i);
	size_t len;
	uint32_t min;
	if (c < 0x80)
		return 1;
	else if ((c & 0xE0) == 0xC0)
		len = 2, min = 0x80;
	else if ((c & 0xF0) == 0xE0)
		len = 3, min = 0x800;
	else if ((c & 0xF8) == 0xF0)
		len = 4, min = 0x10000;
	else
		return 0;
	if (i + len > text.size())
		return 0;
	uint32_t cp = c & (0xFF >> (len + 1));
	for (size_t k = 1; k < len; k++) {
		if ((byte(i + k) & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (byte(i + k) & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

} // namespace

std::string JsonString(std::string_view text) {
	std::string out = "\"";
	for (size_t i = 0; i < text.size();) {
		unsigned char c = static_cast<unsigned char>(text[i]);
		size_t len = Utf8SequenceLength(text, i);
		if (len == 0) {
			out += "\\ufffd";
			i++;
			continue;
		}
		if (c == '"' || c == '\\') {
			out += '\\';
			out += static_cast<char>(c);
		} else if (c == '\n') {
			out += "\\n";
		} else if (c == '\t') {
			out += "\\t";
		} else if (c < 0x20 || c == 0x7F) {
			char esc[8];
			std::snprintf(esc, sizeof esc, "\\u%04x", c);
			out += esc;
		} else {
			out.append(text.substr(i, len));
		}
		i += len;
	}
	out += '"';
	return out;
}

void JsonLine::Key(std::string_view key) {
	body_ += body_.empty() ? "{" : ",";
	body_ += JsonString(key);
	body_ += ':';
}

JsonLine &JsonLine::Add(std::string_view key, std::string_view value) {
	Key(key);
	body_ += JsonString(value);
	return *this;
}

JsonLine &JsonLine::Add(std::string_view key, int64_t value) {
	Key(key);
	body_ += std::to_string(value);
	return *this;
}

void JsonLine::Print(std::ostream &out) const {
	out << (body_.empty() ? "{" : body_) << "}" << std::endl;
}

} // namespace pgwatch_rpc::interop
