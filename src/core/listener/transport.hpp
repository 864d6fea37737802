// Byte transport under one HTTP/2 connection: TLS with the non-blocking OpenSSL discipline
// of GRPC.md §2, or plaintext h2c (§3). Read/Write never block and never raise SIGPIPE.
#pragma once
#include "core/core_only.hpp"

#include <openssl/ssl.h>

#include <cstddef>
#include <string>
#include <sys/types.h>

namespace pgwatch_rpc::listener {

enum class IoResult { kDone, kWouldBlock, kClosed };

class Transport {
public:
	// ctx == nullptr: plaintext. The transport does not own fd.
	Transport(int fd, SSL_CTX *ctx);
	~Transport();
	Transport(const Transport &) = delete;
	Transport &operator=(const Transport &) = delete;

	// Handshake advances the TLS handshake (plaintext: done at once). kDone when complete and
	// ALPN selected h2; kClosed on failure (*error says why, for a DEBUG log line).
	IoResult Handshake(std::string *error);
	bool handshake_done() const { return handshake_done_; }
	// Whether the handshake waits for the socket to become writable.
	bool handshake_wants_write() const { return want_write_; }

	// Read up to size bytes into buf; *n = bytes read when kDone. Keeps returning data that
	// OpenSSL already decrypted (SSL_pending) before reporting kWouldBlock.
	IoResult Read(char *buf, size_t size, size_t *n);
	// Write up to size bytes; *n = bytes written when kDone. After kWouldBlock the caller
	// retries with the same bytes (GRPC.md §2).
	IoResult Write(const char *buf, size_t size, size_t *n);

private:
	int fd_;
	SSL *ssl_ = nullptr;
	bool handshake_done_ = false;
	bool want_write_ = false;
};

} // namespace pgwatch_rpc::listener
