// Builds the listener's SSL_CTX (GRPC.md §2) and checks the negotiated protocol. Every
// failure names the file involved and OpenSSL's reason: the message ends up in the server
// log, where an operator must be able to fix the configuration from it alone.
#include "core/tls/server_context.hpp"

#include "core/tls/openssl_error.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace pgwatch_rpc::tls {

namespace {

constexpr unsigned char kH2[] = {'h', '2'};
// RFC 9113 §9.2.2: TLS 1.2 with HTTP/2 needs ephemeral key exchange and AEAD ciphers.
constexpr char kTls12Ciphers[] = "ECDHE+AESGCM:ECDHE+CHACHA20";
constexpr char kSessionIdContext[] = "pgwatch_rpc";

// SelectH2 is OpenSSL's ALPN callback: walk the client's length-prefixed list ourselves
// (bounds-checked; SSL_select_next_proto falls back to our first protocol when nothing
// overlaps) and accept "h2" only. Anything else ends the handshake with
// no_application_protocol, which clients report clearly; NOACK would let the handshake
// succeed without h2 and fail later and more obscurely. noexcept: this runs inside OpenSSL.
int SelectH2(SSL *, const unsigned char **out, unsigned char *outlen, const unsigned char *in,
             unsigned int inlen, void *) noexcept {
	unsigned int pos = 0;
	while (pos < inlen) {
		unsigned int len = in[pos];
		if (len == 0 || len > inlen - pos - 1)
			break;
		if (len == sizeof kH2 && std::memcmp(in + pos + 1, kH2, sizeof kH2) == 0) {
			*out = in + pos + 1;
			*outlen = static_cast<unsigned char>(len);
			return SSL_TLSEXT_ERR_OK;
		}
		pos += len + 1;
	}
	return SSL_TLSEXT_ERR_ALERT_FATAL;
}

// CheckReadable gives a precise errno for the common mistakes (missing file, permissions,
// a directory) that OpenSSL 3.0 reports only as "system lib".
void CheckReadable(const char *kind, const std::string &path) {
	int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		throw std::runtime_error(std::string("could not load ") + kind + " \"" + path +
		                         "\": " + std::strerror(errno));
	struct stat st;
	int rc = ::fstat(fd, &st);
	int err = errno;
	::close(fd);
	if (rc != 0)
		throw std::runtime_error(std::string("could not load ") + kind + " \"" + path +
		                         "\": " + std::strerror(err));
	if (!S_ISREG(st.st_mode))
		throw std::runtime_error(std::string("could not load ") + kind + " \"" + path +
		                         "\": not a regular file");
}

[[noreturn]] void FailLoad(const char *kind, const std::string &path) {
	throw std::runtime_error(std::string("could not load ") + kind + " \"" + path +
	                         "\": " + TakeOpenSslReason());
}

[[noreturn]] void FailMismatch(const std::string &cert_file, const std::string &key_file) {
	throw std::runtime_error("private key file \"" + key_file + "\" does not match certificate file \"" +
	                         cert_file + "\": " + TakeOpenSslReason());
}

} // namespace

SslCtxPtr CreateServerContext(const std::string &cert_file, const std::string &key_file,
                              const std::string &client_ca_file) {
	ERR_clear_error();
	SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
	if (!ctx)
		throw std::runtime_error("could not create a TLS context: " + TakeOpenSslReason());

	SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
	if (SSL_CTX_set_cipher_list(ctx.get(), kTls12Ciphers) != 1)
		throw std::runtime_error(std::string("could not set TLS 1.2 ciphers \"") + kTls12Ciphers +
		                         "\": " + TakeOpenSslReason());
	SSL_CTX_set_options(ctx.get(),
	                    SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE);
	SSL_CTX_set_mode(ctx.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
	                                SSL_MODE_RELEASE_BUFFERS);
	SSL_CTX_set_alpn_select_cb(ctx.get(), SelectH2, nullptr);
	// Required for session resumption once client certificates are verified.
	SSL_CTX_set_session_id_context(ctx.get(), reinterpret_cast<const unsigned char *>(kSessionIdContext),
	                               sizeof kSessionIdContext - 1);

	CheckReadable("certificate file", cert_file);
	if (SSL_CTX_use_certificate_chain_file(ctx.get(), cert_file.c_str()) != 1)
		FailLoad("certificate file", cert_file);
	CheckReadable("private key file", key_file);
	if (SSL_CTX_use_PrivateKey_file(ctx.get(), key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
		// OpenSSL compares the key with the loaded certificate already here; say so plainly.
		unsigned long first = ERR_peek_error();
		if (ERR_GET_LIB(first) == ERR_LIB_X509 && ERR_GET_REASON(first) == X509_R_KEY_VALUES_MISMATCH)
			FailMismatch(cert_file, key_file);
		FailLoad("private key file", key_file);
	}
	if (SSL_CTX_check_private_key(ctx.get()) != 1)
		FailMismatch(cert_file, key_file);

	if (!client_ca_file.empty()) {
		CheckReadable("client CA file", client_ca_file);
		if (SSL_CTX_load_verify_locations(ctx.get(), client_ca_file.c_str(), nullptr) != 1)
			FailLoad("client CA file", client_ca_file);
		STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(client_ca_file.c_str());
		if (names == nullptr)
			FailLoad("client CA file", client_ca_file);
		SSL_CTX_set_client_CA_list(ctx.get(), names);
		SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
	}
	ERR_clear_error();
	return ctx;
}

bool AlpnIsH2(const SSL *ssl) {
	const unsigned char *proto = nullptr;
	unsigned int len = 0;
	SSL_get0_alpn_selected(ssl, &proto, &len);
	return proto != nullptr && len == sizeof kH2 && std::memcmp(proto, kH2, sizeof kH2) == 0;
}

} // namespace pgwatch_rpc::tls
