// The check of a target URL given in a sink's config (Elasticsearch hosts, the Splunk HEC
// endpoint, …). Header-only and pure: sink validators run inside PostgreSQL backends too.
#pragma once
#include "core/core_only.hpp"

#include <string>
#include <string_view>

namespace pgwatch_rpc::http {

// EndpointUrlProblem: "" if url is an http:// or https:// URL with a host, optionally a port
// and a path, and nothing else; otherwise what is wrong with it. User info is refused because
// config is shown by rpc_sinks (credentials go to the sink's secrets), a query or fragment
// because the sink builds its request URLs by appending paths.
inline std::string EndpointUrlProblem(std::string_view url) {
	std::string_view rest;
	if (url.substr(0, 7) == "http://")
		rest = url.substr(7);
	else if (url.substr(0, 8) == "https://")
		rest = url.substr(8);
	else
		return "must start with http:// or https://";
	for (char c : url) {
		unsigned char u = static_cast<unsigned char>(c);
		if (u <= 0x20 || u >= 0x7F)
			return "must not contain spaces, control or non-ASCII characters (percent-encode them)";
	}
	if (url.find_first_of("?#") != std::string_view::npos)
		return "must not have a query or fragment: give the scheme, host, port and optionally a path prefix";
	std::string_view authority = rest.substr(0, rest.find('/'));
	if (authority.find('@') != std::string_view::npos)
		return "must not carry user info: config is shown by rpc_sinks, put credentials in the secrets";
	if (authority.empty() || authority[0] == ':')
		return "has no host name";
	return "";
}

} // namespace pgwatch_rpc::http
