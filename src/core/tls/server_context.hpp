// The listener's TLS server context (GRPC.md §2): TLS 1.2+, ECDHE+AEAD suites only, ALPN
// exactly "h2" (a client that does not offer h2 gets a no_application_protocol alert),
// no renegotiation or compression, optional client-certificate verification.
#pragma once
#include "core/core_only.hpp"

#include <openssl/ssl.h>

#include <memory>
#include <string>

namespace pgwatch_rpc::tls {

struct SslCtxDeleter {
	void operator()(SSL_CTX *ctx) const { SSL_CTX_free(ctx); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxDeleter>;

// CreateServerContext loads cert_file/key_file (PEM; the chain is read from cert_file) and,
// when client_ca_file is non-empty, requires client certificates signed by it. Throws
// std::runtime_error naming the file and OpenSSL's reason. Reload = call again (SIGHUP) and
// use the new context for new connections only.
SslCtxPtr CreateServerContext(const std::string &cert_file, const std::string &key_file,
                              const std::string &client_ca_file);

// AlpnIsH2: after the handshake, whether "h2" was selected (GRPC.md §2, check again).
bool AlpnIsH2(const SSL *ssl);

} // namespace pgwatch_rpc::tls
