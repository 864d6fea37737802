// Rules for HTTP header names and values that come from a user's config (and for the
// responses we read): what is well-formed (RFC 9110 §5), and which names carry credentials
// and must never reach a log. Header-only: each rule is a few lines, used by the config
// validator (in the extension too) and by the client.
#pragma once
#include "core/core_only.hpp"
#include "core/text/ascii.hpp"

#include <string_view>

namespace pgwatch_rpc::http {

// EqualsIgnoreCase compares ASCII case-insensitively, as HTTP compares header names.
inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
	if (a.size() != b.size())
		return false;
	for (size_t i = 0; i < a.size(); i++)
		if (text::AsciiLower(a[i]) != text::AsciiLower(b[i]))
			return false;
	return true;
}

// IsHeaderName: a non-empty RFC 9110 token.
inline bool IsHeaderName(std::string_view name) {
	if (name.empty())
		return false;
	for (char c : name) {
		bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
		if (!alnum && std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos)
			return false;
	}
	return true;
}

// IsHeaderValue: no control characters but tab; in particular no CR or LF, which would let a
// value smuggle in a header of its own.
inline bool IsHeaderValue(std::string_view value) {
	for (char c : value) {
		unsigned char u = static_cast<unsigned char>(c);
		if ((u < 0x20 && c != '\t') || u == 0x7F)
			return false;
	}
	return true;
}

// IsSensitiveHeaderName: a header whose value may be a credential (Authorization, API keys
// such as X-Api-Key or X-ClickHouse-Key, cookies, tokens, signatures). Their values are
// redacted in logs and refused in a sink's config, which rpc_sinks shows, in favour of its
// secrets. Erring on the side of caution is cheap; Idempotency-Key is the one known "key"
// that is no secret.
inline bool IsSensitiveHeaderName(std::string_view name) {
	static constexpr std::string_view kWords[] = {"auth", "token",  "secret",    "password", "passwd",
	                                              "key",  "cookie", "signature", "session"};
	if (EqualsIgnoreCase(name, "Idempotency-Key"))
		return false;
	for (std::string_view word : kWords)
		for (size_t i = 0; i + word.size() <= name.size(); i++)
			if (EqualsIgnoreCase(name.substr(i, word.size()), word))
				return true;
	return false;
}

} // namespace pgwatch_rpc::http
