// A loopback HTTP/1.1 server for the HTTP client's tests: it records every request and answers
// from a script (status, headers, body, an optional delay), over plain TCP or TLS (optionally
// requiring a client certificate). One thread accepts, one thread serves each connection;
// everything stops and joins in the destructor.
#pragma once

#include "core/http/http_config.hpp"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace pgwatch_rpc::http_test {

struct CapturedRequest {
	std::string method;
	std::string target; // as sent: "/path?q" or, through a proxy, "http://host/path"
	http::HeaderList headers;
	std::string body; // as received (still compressed if it was)
	bool client_certificate = false;

	std::string Header(std::string_view name) const; // "" if absent
};

struct ScriptedReply {
	int status = 200;
	http::HeaderList headers;
	std::string body = "ok";
	int delay_ms = 0;       // wait before answering (for timeouts)
	bool gzip_body = false; // send body gzip-compressed with Content-Encoding: gzip
};

struct TlsServerConfig {
	std::string certificate_pem;
	std::string private_key_pem;
	std::string client_ca_pem; // non-empty: a client certificate signed by it is required
};

class HttpTestServer {
public:
	explicit HttpTestServer(std::optional<TlsServerConfig> tls = std::nullopt);
	~HttpTestServer();

	int port() const { return port_; }
	std::string Url(const std::string &path) const; // http(s)://127.0.0.1:<port><path>
	void Script(ScriptedReply reply);               // answers in order; then 200 "ok"
	std::vector<CapturedRequest> Requests() const;
	int connections() const { return connections_; }

private:
	struct Connection;
	void AcceptLoop();
	void Serve(int fd);
	ScriptedReply NextReply();
	bool WaitOrStop(int delay_ms);

	int listen_fd_ = -1;
	int port_ = 0;
	void *ssl_ctx_ = nullptr; // SSL_CTX*, kept out of this header
	std::atomic<bool> stopping_{false};
	std::atomic<int> connections_{0};
	mutable std::mutex mutex_;
	std::condition_variable stop_signal_;
	std::deque<ScriptedReply> script_;
	std::vector<CapturedRequest> requests_;
	std::vector<int> open_fds_;
	std::vector<std::thread> workers_;
	std::thread acceptor_;
};

// Gunzip inflates a gzip body (zlib, independently of the client's compressor); throws on
// malformed input.
std::string Gunzip(const std::string &compressed);

// A scratch directory under /tmp, removed with its files by the destructor.
class TempDir {
public:
	TempDir();
	~TempDir();
	std::string Write(const std::string &name, const std::string &contents) const; // returns the path

private:
	std::string path_;
};

} // namespace pgwatch_rpc::http_test
