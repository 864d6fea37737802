// Metadata classification, ASCII sanitation and base64 for -bin keys (see metadata.hpp).
#include "core/grpc/metadata.hpp"
#include "core/text/ascii.hpp"

#include <cstdint>

namespace pgwatch_rpc::grpc {

namespace {

constexpr char kBase64Alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int Base64Value(char c) {
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
	return s.substr(0, prefix.size()) == prefix;
}

// DecodeBase64 decodes one part; "=" padding is optional but, when present, complete.
bool DecodeBase64(std::string_view in, std::string *out) {
	if (in.size() % 4 == 0 && !in.empty() && in.back() == '=') {
		in.remove_suffix(1);
		if (in.back() == '=')
			in.remove_suffix(1);
	}
	if (in.size() % 4 == 1)
		return false;
	out->reserve(in.size() * 3 / 4);
	uint32_t acc = 0;
	int bits = 0;
	for (char c : in) {
		int v = Base64Value(c);
		if (v < 0)
			return false;
		acc = (acc << 6) | static_cast<uint32_t>(v);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out->push_back(static_cast<char>((acc >> bits) & 0xFF));
		}
	}
	return true;
}

} // namespace

bool IsBinaryKey(std::string_view key) {
	return key.size() >= 4 && key.substr(key.size() - 4) == "-bin";
}

bool IsMetadataKey(std::string_view key) {
	if (key.empty() || key.front() == ':')
		return false;
	if (key == "content-type" || key == "te" || key == "user-agent" || key == "accept-encoding")
		return false;
	return !StartsWith(key, "grpc-");
}

bool SanitizeAsciiValue(std::string_view value, std::string_view *out) {
	std::string_view trimmed = text::TrimBlanks(value);
	for (char c : trimmed) {
		auto u = static_cast<unsigned char>(c);
		if (u < 0x20 || u > 0x7E)
			return false;
	}
	*out = trimmed;
	return true;
}

bool DecodeBinaryValue(std::string_view value, std::vector<std::string> *out) {
	std::vector<std::string> parts;
	for (;;) {
		size_t comma = value.find(',');
		std::string decoded;
		if (!DecodeBase64(text::TrimBlanks(value.substr(0, comma)), &decoded))
			return false;
		parts.push_back(std::move(decoded));
		if (comma == std::string_view::npos)
			break;
		value.remove_prefix(comma + 1);
	}
	for (std::string &part : parts)
		out->push_back(std::move(part));
	return true;
}

std::string EncodeBinaryValue(std::string_view bytes) {
	std::string out;
	out.reserve((bytes.size() + 2) / 3 * 4);
	size_t i = 0;
	for (; i + 3 <= bytes.size(); i += 3) {
		uint32_t v = (uint32_t{static_cast<uint8_t>(bytes[i])} << 16) |
		             (uint32_t{static_cast<uint8_t>(bytes[i + 1])} << 8) | static_cast<uint8_t>(bytes[i + 2]);
		for (int shift = 18; shift >= 0; shift -= 6)
			out.push_back(kBase64Alphabet[(v >> shift) & 63]);
	}
	size_t rest = bytes.size() - i;
	if (rest > 0) {
		uint32_t v = uint32_t{static_cast<uint8_t>(bytes[i])} << 16;
		if (rest == 2)
			v |= uint32_t{static_cast<uint8_t>(bytes[i + 1])} << 8;
		out.push_back(kBase64Alphabet[(v >> 18) & 63]);
		out.push_back(kBase64Alphabet[(v >> 12) & 63]);
		out.push_back(rest == 2 ? kBase64Alphabet[(v >> 6) & 63] : '=');
		out.push_back('=');
	}
	return out;
}

} // namespace pgwatch_rpc::grpc
