// Creates the hub's self-signed server certificate in-process with OpenSSL (DESIGN.md §6):
// EC P-256 key, 10 years, subjectAltName covering every name clients dial.
#pragma once
#include "core/core_only.hpp"

#include <string>
#include <vector>

namespace pgwatch_rpc::tls {

struct PemPair {
	std::string certificate_pem;
	std::string private_key_pem;
};

// CreateSelfSigned: CN = common_name; SANs = each entry of dns_or_ip (IP literals become
// iPAddress entries, the rest dNSName). CA:TRUE so pgwatch can use the certificate itself as
// sslrootca. Throws std::runtime_error with OpenSSL's reason on failure.
PemPair CreateSelfSigned(const std::string &common_name, const std::vector<std::string> &dns_or_ip);

// WriteFileAtomically writes data to path with the given mode via a temporary file, fsync and
// rename (so a crash never leaves a half-written key). Throws std::runtime_error.
void WriteFileAtomically(const std::string &path, const std::string &data, unsigned mode);

} // namespace pgwatch_rpc::tls
