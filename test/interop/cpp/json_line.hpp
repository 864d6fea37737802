// One JSON object per line on stdout: the only output the TAP tests parse. Strings that are
// not valid UTF-8 (a server may echo hostile bytes) are repaired with U+FFFD, so the line is
// always valid JSON for Perl's decode_json.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

namespace pgwatch_rpc::interop {

class JsonLine {
public:
	JsonLine &Add(std::string_view key, std::string_view value);
	JsonLine &Add(std::string_view key, int64_t value);
	// Print writes the object and a newline, then flushes: a test reading the pipe sees
	// every finished call even if a later one hangs.
	void Print(std::ostream &out) const;

private:
	void Key(std::string_view key);
	std::string body_;
};

// JsonString returns text as a quoted JSON string.
std::string JsonString(std::string_view text);

} // namespace pgwatch_rpc::interop
