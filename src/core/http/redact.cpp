// Redaction of credentials in log texts (redact.hpp).
#include "core/http/redact.hpp"

#include "core/http/header_rules.hpp"

#include <algorithm>

namespace pgwatch_rpc::http {

std::string_view LoggableHeaderValue(std::string_view name, std::string_view value) {
	return IsSensitiveHeaderName(name) ? kRedacted : value;
}

std::string RedactUrl(std::string_view url) {
	std::string out;
	size_t authority_start = url.find("://");
	authority_start = authority_start == std::string_view::npos ? 0 : authority_start + 3;
	size_t authority_end = url.find_first_of("/?#", authority_start);
	if (authority_end == std::string_view::npos)
		authority_end = url.size();
	std::string_view authority = url.substr(authority_start, authority_end - authority_start);
	size_t at = authority.rfind('@');
	size_t colon = at == std::string_view::npos ? std::string_view::npos : authority.substr(0, at).find(':');
	out.append(url.substr(0, authority_start));
	if (colon != std::string_view::npos)
		out.append(authority.substr(0, colon + 1)).append(kRedacted).append(authority.substr(at));
	else
		out.append(authority);

	size_t query = url.find('?', authority_end);
	if (query == std::string_view::npos) {
		out.append(url.substr(authority_end));
		return out;
	}
	size_t fragment = url.find('#', query);
	std::string_view params =
	    url.substr(query + 1, (fragment == std::string_view::npos ? url.size() : fragment) - query - 1);
	out.append(url.substr(authority_end, query + 1 - authority_end));
	size_t pos = 0;
	while (pos <= params.size()) {
		size_t amp = params.find('&', pos);
		std::string_view param =
		    params.substr(pos, (amp == std::string_view::npos ? params.size() : amp) - pos);
		size_t eq = param.find('=');
		std::string_view name = param.substr(0, eq);
		if (eq != std::string_view::npos && (IsSensitiveHeaderName(name) || EqualsIgnoreCase(name, "sig")))
			out.append(name).append("=").append(kRedacted);
		else
			out.append(param);
		if (amp == std::string_view::npos)
			break;
		out.push_back('&');
		pos = amp + 1;
	}
	if (fragment != std::string_view::npos)
		out.append(url.substr(fragment));
	return out;
}

void SecretRedactor::Add(std::string_view secret) {
	if (secret.empty())
		return;
	secrets_.emplace_back(secret);
	std::stable_sort(secrets_.begin(), secrets_.end(),
	                 [](const std::string &a, const std::string &b) { return a.size() > b.size(); });
}

std::string SecretRedactor::Redact(std::string_view text) const {
	std::string out(text);
	for (const std::string &secret : secrets_) {
		for (size_t pos = out.find(secret); pos != std::string::npos;
		     pos = out.find(secret, pos + kRedacted.size()))
			out.replace(pos, secret.size(), kRedacted);
	}
	return out;
}

} // namespace pgwatch_rpc::http
