// TLS / plaintext transport (see transport.hpp).
#include "core/listener/transport.hpp"

#include "core/tls/openssl_error.hpp"
#include "core/tls/server_context.hpp"

#include <openssl/err.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <sys/socket.h>

namespace pgwatch_rpc::listener {

Transport::Transport(int fd, SSL_CTX *ctx) : fd_(fd) {
	if (!ctx) {
		handshake_done_ = true;
		return;
	}
	ssl_ = SSL_new(ctx);
	if (!ssl_ || SSL_set_fd(ssl_, fd) != 1) {
		SSL_free(ssl_);
		throw std::runtime_error("cannot create a TLS session: " + tls::TakeOpenSslReason());
	}
	SSL_set_accept_state(ssl_);
}

Transport::~Transport() {
	if (ssl_)
		SSL_free(ssl_);
}

IoResult Transport::Handshake(std::string *error) {
	if (handshake_done_)
		return IoResult::kDone;
	ERR_clear_error();
	int rc = SSL_do_handshake(ssl_);
	if (rc == 1) {
		// GRPC.md §2: check ALPN again after the handshake; a client without h2 is refused.
		if (!tls::AlpnIsH2(ssl_)) {
			*error = "TLS client did not negotiate ALPN h2";
			return IoResult::kClosed;
		}
		handshake_done_ = true;
		want_write_ = false;
		return IoResult::kDone;
	}
	int err = SSL_get_error(ssl_, rc);
	if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
		want_write_ = err == SSL_ERROR_WANT_WRITE;
		return IoResult::kWouldBlock;
	}
	if (err == SSL_ERROR_SYSCALL && errno != 0)
		*error = std::string("TLS handshake: ") + std::strerror(errno);
	else
		*error = "TLS handshake failed: " + tls::TakeOpenSslReason();
	ERR_clear_error();
	return IoResult::kClosed;
}

IoResult Transport::Read(char *buf, size_t size, size_t *n) {
	if (!ssl_) {
		ssize_t got = recv(fd_, buf, size, 0);
		if (got > 0) {
			*n = static_cast<size_t>(got);
			return IoResult::kDone;
		}
		if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			return IoResult::kWouldBlock;
		return IoResult::kClosed;
	}
	// A stale error queue turns a plain WANT_READ into a bogus fatal error (GRPC.md §2).
	ERR_clear_error();
	int rc = SSL_read(ssl_, buf, static_cast<int>(size));
	if (rc > 0) {
		*n = static_cast<size_t>(rc);
		return IoResult::kDone;
	}
	int err = SSL_get_error(ssl_, rc);
	if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
		return IoResult::kWouldBlock;
	ERR_clear_error();
	return IoResult::kClosed; // ZERO_RETURN, SYSCALL (peer gone) or a protocol error
}

IoResult Transport::Write(const char *buf, size_t size, size_t *n) {
	if (!ssl_) {
		ssize_t put = send(fd_, buf, size, MSG_NOSIGNAL);
		if (put >= 0) {
			*n = static_cast<size_t>(put);
			return put == 0 ? IoResult::kWouldBlock : IoResult::kDone;
		}
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return IoResult::kWouldBlock;
		return IoResult::kClosed;
	}
	ERR_clear_error();
	int rc = SSL_write(ssl_, buf, static_cast<int>(size));
	if (rc > 0) {
		*n = static_cast<size_t>(rc);
		return IoResult::kDone;
	}
	int err = SSL_get_error(ssl_, rc);
	if (err == SSL_ERROR_WANT_WRITE || err == SSL_ERROR_WANT_READ)
		return IoResult::kWouldBlock;
	ERR_clear_error();
	return IoResult::kClosed;
}

} // namespace pgwatch_rpc::listener
