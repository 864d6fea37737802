// Parsing of pgwatch's gRPC sink URI, following Go's net/url as pgwatch uses it
// (internal/sinks/rpc.go: url.Parse, uri.User, url.ParseQuery(RawQuery)["sslrootca"]).
#include "sender/sink_uri.hpp"

#include "core/text/ascii.hpp"

#include <cctype>

namespace pgwatch_rpc::sender {

namespace {

std::string Fail(const std::string &what) {
	return what + "; " + kSinkUriShape;
}

bool AllDigits(const std::string &s) {
	if (s.empty())
		return false;
	for (char c : s)
		if (!std::isdigit(static_cast<unsigned char>(c)))
			return false;
	return true;
}

// ParseHostPort splits the host part of the authority: "host:port" or "[v6]:port".
std::string ParseHostPort(const std::string &hostport, SinkUri *out) {
	std::string port;
	if (!hostport.empty() && hostport[0] == '[') {
		size_t close = hostport.find(']');
		if (close == std::string::npos)
			return Fail("the IPv6 address has no closing ']'");
		out->host = hostport.substr(1, close - 1);
		std::string rest = hostport.substr(close + 1);
		if (rest.empty() || rest[0] != ':')
			return Fail("the port is missing");
		port = rest.substr(1);
	} else {
		size_t colon = hostport.rfind(':');
		if (colon == std::string::npos)
			return Fail("the port is missing");
		out->host = hostport.substr(0, colon);
		if (out->host.find(':') != std::string::npos)
			return Fail("an IPv6 address must be written in brackets");
		port = hostport.substr(colon + 1);
	}
	if (out->host.empty())
		return Fail("the host is missing");
	if (!AllDigits(port))
		return Fail(port.empty() ? "the port is missing" : "the port \"" + port + "\" is not a number");
	if (port.size() > 5 || std::stol(port) < 1 || std::stol(port) > 65535)
		return Fail("the port " + port + " is out of range");
	out->port = port;
	out->target = (out->host.find(':') != std::string::npos ? "[" + out->host + "]" : out->host) + ":" + port;
	return "";
}

// ParseQuery looks for sslrootca among &-separated key=value pairs; the first one wins.
std::string ParseQuery(const std::string &query, SinkUri *out) {
	size_t start = 0;
	while (start <= query.size()) {
		size_t amp = query.find('&', start);
		std::string pair = query.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
		start = amp == std::string::npos ? query.size() + 1 : amp + 1;
		if (pair.empty())
			continue;
		if (pair.find(';') != std::string::npos)
			return Fail("the query contains a ';' (separate parameters with '&')");
		size_t eq = pair.find('=');
		std::string key, value;
		if (!PercentDecode(pair.substr(0, eq), true, &key) ||
		    !PercentDecode(eq == std::string::npos ? "" : pair.substr(eq + 1), true, &value))
			return Fail("the query has a malformed %-escape");
		if (key != "sslrootca" || out->tls)
			continue;
		if (value.empty())
			return Fail("sslrootca is empty");
		out->tls = true;
		out->ca_file = value;
	}
	return "";
}

} // namespace

bool PercentDecode(const std::string &in, bool plus_is_space, std::string *out) {
	out->clear();
	for (size_t i = 0; i < in.size(); i++) {
		char c = in[i];
		if (c == '%') {
			if (i + 2 >= in.size())
				return false;
			int hi = text::HexDigitValue(in[i + 1]), lo = text::HexDigitValue(in[i + 2]);
			if (hi < 0 || lo < 0)
				return false;
			out->push_back(static_cast<char>(hi * 16 + lo));
			i += 2;
		} else if (c == '+' && plus_is_space) {
			out->push_back(' ');
		} else {
			out->push_back(c);
		}
	}
	return true;
}

std::string ParseSinkUri(const std::string &uri, SinkUri *out) {
	*out = SinkUri();
	size_t colon = uri.find(':');
	if (colon == std::string::npos)
		return Fail("\"" + uri + "\" has no scheme");
	std::string scheme = uri.substr(0, colon);
	for (char &c : scheme)
		c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
	if (scheme != "grpc")
		return Fail("the scheme is \"" + uri.substr(0, colon) + "\", not grpc");
	if (uri.compare(colon + 1, 2, "//") != 0)
		return Fail("\"//\" must follow \"grpc:\"");

	std::string rest = uri.substr(colon + 3);
	size_t hash = rest.find('#');
	if (hash != std::string::npos)
		rest.resize(hash);
	std::string query;
	size_t question = rest.find('?');
	if (question != std::string::npos) {
		query = rest.substr(question + 1);
		rest.resize(question);
	}
	std::string authority = rest.substr(0, rest.find('/'));

	// Go splits user info at the last '@', so a password may contain a raw '@'.
	size_t at = authority.rfind('@');
	if (at != std::string::npos) {
		std::string userinfo = authority.substr(0, at);
		authority = authority.substr(at + 1);
		size_t sep = userinfo.find(':');
		if (!PercentDecode(userinfo.substr(0, sep), false, &out->username) ||
		    !PercentDecode(sep == std::string::npos ? "" : userinfo.substr(sep + 1), false, &out->password))
			return Fail("the user info has a malformed %-escape");
	}
	std::string problem = ParseHostPort(authority, out);
	if (problem.empty())
		problem = ParseQuery(query, out);
	if (!problem.empty()) {
		SinkUri empty;
		*out = empty;
	}
	return problem;
}

} // namespace pgwatch_rpc::sender
