// Keeping credentials out of log lines and error texts (DESIGN.md §6: never log secrets).
#pragma once
#include "core/core_only.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace pgwatch_rpc::http {

constexpr std::string_view kRedacted = "[redacted]";

// LoggableHeaderValue: value, or kRedacted when the header may carry a credential
// (IsSensitiveHeaderName: Authorization, X-Api-Key, Cookie, …).
std::string_view LoggableHeaderValue(std::string_view name, std::string_view value);

// RedactUrl: url with the password of its user info and the values of credential-looking query
// parameters (token, key, password, sig, …) replaced by kRedacted.
std::string RedactUrl(std::string_view url);

// SecretRedactor replaces every occurrence of the secrets it was given (a sink adds its
// token, password, the Authorization values it sends) in a text, e.g. an error body that
// echoes the request.
class SecretRedactor {
public:
	void Add(std::string_view secret); // empty secrets are ignored
	std::string Redact(std::string_view text) const;

private:
	std::vector<std::string> secrets_; // longest first, so that a secret containing another is replaced whole
};

} // namespace pgwatch_rpc::http
