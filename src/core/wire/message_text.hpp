// Rendering untrusted text inside error messages meant for people: quoted, escaped
// (control characters, quotes, invalid UTF-8 never reach a log line or a grpc-message raw)
// and truncated, so a 10 KB hostile name produces a short, readable message.
#pragma once
#include "core/core_only.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace pgwatch_rpc::wire {

constexpr size_t kQuoteMaxChars = 64;

// AppendQuoted appends "text" to *out: printable ASCII and valid non-ASCII UTF-8 stay as
// they are; ", \ and control characters become C-style escapes (\", \\, \n, \t, \x01);
// bytes that are not valid UTF-8 become \xNN. After max_chars characters the text is cut
// and "..." added after the closing quote with the full length in bytes.
void AppendQuoted(std::string_view text, std::string *out, size_t max_chars = kQuoteMaxChars);

// Quoted is AppendQuoted into a fresh string.
std::string Quoted(std::string_view text, size_t max_chars = kQuoteMaxChars);

} // namespace pgwatch_rpc::wire
