// The sink URI pgwatch takes for its gRPC sink, parsed the way pgwatch parses it
// (DESIGN.md §2): grpc://USER:PASSWORD@HOST:PORT/?sslrootca=FILE. Pure string work: no I/O,
// no gRPC, so the parser is unit-tested byte by byte.
#pragma once

#include <string>

namespace pgwatch_rpc::sender {

struct SinkUri {
	std::string username; // percent-decoded user info, sent as metadata `username`
	std::string password; // percent-decoded, sent as metadata `password`
	std::string host;     // without brackets for IPv6: the TLS server name
	std::string port;     // digits only
	std::string target;   // HOST:PORT as grpc++ wants it ([::1]:5051 for IPv6)
	bool tls = false;     // true exactly when sslrootca is present, as in pgwatch
	std::string ca_file;  // the sslrootca value, percent-decoded
};

// kSinkUriShape is the hint every parse error ends with.
constexpr const char *kSinkUriShape = "sink URI must look like grpc://KEY:SECRET@host:port/?sslrootca=FILE";

// ParseSinkUri fills *out from uri and returns "" or, on failure, a message naming what is
// wrong followed by kSinkUriShape. Like pgwatch (Go's net/url): user info and query values
// are percent-decoded, '+' means a space only in the query, the path is ignored, user info
// may be absent (then empty credentials are sent), and sslrootca switches TLS on.
std::string ParseSinkUri(const std::string &uri, SinkUri *out);

// PercentDecode decodes %XX escapes (and '+' as a space when plus_is_space). Returns false
// on a malformed escape, leaving *out unspecified.
bool PercentDecode(const std::string &in, bool plus_is_space, std::string *out);

} // namespace pgwatch_rpc::sender
