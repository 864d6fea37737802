// The loopback HTTP server of the HTTP client's tests (http_test_server.hpp).
#include "http_test_server.hpp"

#include "core/http/gzip.hpp"
#include "core/http/header_rules.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace pgwatch_rpc::http_test {

namespace {

constexpr size_t kMaxHead = 1 << 20;

SSL_CTX *MakeServerContext(const TlsServerConfig &tls) {
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	BIO *cert_bio = BIO_new_mem_buf(tls.certificate_pem.data(), static_cast<int>(tls.certificate_pem.size()));
	BIO *key_bio = BIO_new_mem_buf(tls.private_key_pem.data(), static_cast<int>(tls.private_key_pem.size()));
	X509 *cert = PEM_read_bio_X509(cert_bio, nullptr, nullptr, nullptr);
	EVP_PKEY *key = PEM_read_bio_PrivateKey(key_bio, nullptr, nullptr, nullptr);
	bool ok = ctx != nullptr && cert != nullptr && key != nullptr &&
	          SSL_CTX_use_certificate(ctx, cert) == 1 && SSL_CTX_use_PrivateKey(ctx, key) == 1;
	X509_free(cert);
	EVP_PKEY_free(key);
	BIO_free(cert_bio);
	BIO_free(key_bio);
	if (ok && !tls.client_ca_pem.empty()) {
		BIO *ca_bio = BIO_new_mem_buf(tls.client_ca_pem.data(), static_cast<int>(tls.client_ca_pem.size()));
		X509 *ca = PEM_read_bio_X509(ca_bio, nullptr, nullptr, nullptr);
		ok = ca != nullptr && X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), ca) == 1;
		X509_free(ca);
		BIO_free(ca_bio);
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
		// The test certificates come from tls::CreateSelfSigned, which marks them for server
		// use only; the point here is that the client presents its certificate at all.
		SSL_CTX_set_purpose(ctx, X509_PURPOSE_ANY);
	}
	if (!ok) {
		SSL_CTX_free(ctx);
		throw std::runtime_error("test server: bad TLS certificate or key");
	}
	return ctx;
}

} // namespace

std::string CapturedRequest::Header(std::string_view name) const {
	for (const auto &h : headers)
		if (http::EqualsIgnoreCase(h.first, name))
			return h.second;
	return "";
}

// Connection: one accepted socket, with TLS on top when configured.
struct HttpTestServer::Connection {
	int fd = -1;
	SSL *ssl = nullptr;

	~Connection() { SSL_free(ssl); }

	long Read(char *buf, size_t n) {
		if (ssl != nullptr)
			return SSL_read(ssl, buf, static_cast<int>(n));
		return static_cast<long>(recv(fd, buf, n, 0));
	}

	bool WriteAll(const std::string &data) {
		size_t done = 0;
		while (done < data.size()) {
			long n = ssl != nullptr
			             ? SSL_write(ssl, data.data() + done, static_cast<int>(data.size() - done))
			             : static_cast<long>(send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL));
			if (n <= 0)
				return false;
			done += static_cast<size_t>(n);
		}
		return true;
	}
};

HttpTestServer::HttpTestServer(std::optional<TlsServerConfig> tls) {
	std::signal(SIGPIPE, SIG_IGN); // a client that timed out has closed its end: writes must fail, not kill
	if (tls)
		ssl_ctx_ = MakeServerContext(*tls);
	listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	sockaddr_in addr{};
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof addr;
	if (listen_fd_ < 0 || bind(listen_fd_, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0 ||
	    listen(listen_fd_, 16) != 0 ||
	    getsockname(listen_fd_, reinterpret_cast<sockaddr *>(&addr), &len) != 0)
		throw std::runtime_error("test server: cannot listen on 127.0.0.1");
	port_ = ntohs(addr.sin_port);
	acceptor_ = std::thread([this] { AcceptLoop(); });
}

HttpTestServer::~HttpTestServer() {
	stopping_ = true;
	stop_signal_.notify_all();
	shutdown(listen_fd_, SHUT_RDWR);
	acceptor_.join();
	{
		std::lock_guard<std::mutex> lock(mutex_);
		for (int fd : open_fds_)
			shutdown(fd, SHUT_RDWR);
	}
	for (std::thread &worker : workers_)
		worker.join();
	for (int fd : open_fds_)
		close(fd);
	close(listen_fd_);
	SSL_CTX_free(static_cast<SSL_CTX *>(ssl_ctx_));
}

std::string HttpTestServer::Url(const std::string &path) const {
	return std::string(ssl_ctx_ != nullptr ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) +
	       path;
}

void HttpTestServer::Script(ScriptedReply reply) {
	std::lock_guard<std::mutex> lock(mutex_);
	script_.push_back(std::move(reply));
}

std::vector<CapturedRequest> HttpTestServer::Requests() const {
	std::lock_guard<std::mutex> lock(mutex_);
	return requests_;
}

void HttpTestServer::AcceptLoop() {
	while (!stopping_) {
		int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
		if (fd < 0)
			continue; // shutdown() makes accept fail; the loop condition then ends it
		std::lock_guard<std::mutex> lock(mutex_);
		if (stopping_) {
			close(fd);
			break;
		}
		connections_++;
		open_fds_.push_back(fd);
		workers_.emplace_back([this, fd] { Serve(fd); });
	}
}

ScriptedReply HttpTestServer::NextReply() {
	std::lock_guard<std::mutex> lock(mutex_);
	if (script_.empty())
		return ScriptedReply{};
	ScriptedReply reply = std::move(script_.front());
	script_.pop_front();
	return reply;
}

bool HttpTestServer::WaitOrStop(int delay_ms) {
	std::unique_lock<std::mutex> lock(mutex_);
	return !stop_signal_.wait_for(lock, std::chrono::milliseconds(delay_ms),
	                              [this] { return stopping_.load(); });
}

void HttpTestServer::Serve(int fd) {
	Connection conn;
	conn.fd = fd;
	bool client_certificate = false;
	if (ssl_ctx_ != nullptr) {
		conn.ssl = SSL_new(static_cast<SSL_CTX *>(ssl_ctx_));
		SSL_set_fd(conn.ssl, fd);
		if (SSL_accept(conn.ssl) != 1) {
			ERR_clear_error();
			shutdown(fd, SHUT_RDWR);
			return;
		}
		X509 *peer = SSL_get1_peer_certificate(conn.ssl);
		client_certificate = peer != nullptr;
		X509_free(peer);
	}
	std::string buffer;
	char chunk[16384];
	while (!stopping_) {
		size_t head_end;
		while ((head_end = buffer.find("\r\n\r\n")) == std::string::npos && buffer.size() < kMaxHead) {
			long n = conn.Read(chunk, sizeof chunk);
			if (n <= 0) {
				shutdown(fd, SHUT_RDWR);
				return;
			}
			buffer.append(chunk, static_cast<size_t>(n));
		}
		if (head_end == std::string::npos)
			break;
		CapturedRequest request;
		request.client_certificate = client_certificate;
		std::string head = buffer.substr(0, head_end);
		buffer.erase(0, head_end + 4);
		size_t line_end = head.find("\r\n");
		std::string request_line = head.substr(0, line_end);
		size_t sp1 = request_line.find(' '), sp2 = request_line.rfind(' ');
		request.method = request_line.substr(0, sp1);
		request.target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
		for (size_t pos = line_end; pos != std::string::npos && pos < head.size();) {
			size_t next = head.find("\r\n", pos + 2);
			std::string line =
			    head.substr(pos + 2, (next == std::string::npos ? head.size() : next) - pos - 2);
			size_t colon = line.find(':');
			if (colon != std::string::npos)
				request.headers.emplace_back(line.substr(0, colon),
				                             std::string(text::TrimBlanks(line.substr(colon + 1))));
			pos = next;
		}
		size_t length = std::strtoul(request.Header("Content-Length").c_str(), nullptr, 10);
		while (buffer.size() < length) {
			long n = conn.Read(chunk, sizeof chunk);
			if (n <= 0) {
				shutdown(fd, SHUT_RDWR);
				return;
			}
			buffer.append(chunk, static_cast<size_t>(n));
		}
		request.body = buffer.substr(0, length);
		buffer.erase(0, length);
		{
			std::lock_guard<std::mutex> lock(mutex_);
			requests_.push_back(request);
		}

		ScriptedReply reply = NextReply();
		if (reply.delay_ms > 0 && !WaitOrStop(reply.delay_ms))
			break;
		std::string body = reply.body;
		if (reply.gzip_body) {
			http::GzipCompress(reply.body, &body);
			reply.headers.emplace_back("Content-Encoding", "gzip");
		}
		std::string response = "HTTP/1.1 " + std::to_string(reply.status) + " Scripted\r\n";
		for (const auto &h : reply.headers)
			response += h.first + ": " + h.second + "\r\n";
		response += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
		if (request.method != "HEAD")
			response += body;
		if (!conn.WriteAll(response))
			break;
	}
	shutdown(fd, SHUT_RDWR);
}

std::string Gunzip(const std::string &compressed) {
	z_stream zs{};
	if (inflateInit2(&zs, 15 + 32) != Z_OK)
		throw std::runtime_error("inflateInit2 failed");
	std::string out;
	char chunk[65536];
	zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(compressed.data()));
	zs.avail_in = static_cast<uInt>(compressed.size());
	int rc = Z_OK;
	while (rc != Z_STREAM_END) {
		zs.next_out = reinterpret_cast<Bytef *>(chunk);
		zs.avail_out = sizeof chunk;
		rc = inflate(&zs, Z_NO_FLUSH);
		if (rc != Z_OK && rc != Z_STREAM_END) {
			inflateEnd(&zs);
			throw std::runtime_error("not a valid gzip stream");
		}
		out.append(chunk, sizeof chunk - zs.avail_out);
	}
	bool trailing = zs.avail_in != 0;
	inflateEnd(&zs);
	if (trailing)
		throw std::runtime_error("bytes after the gzip stream");
	return out;
}

TempDir::TempDir() {
	char pattern[] = "/tmp/pgwatch_rpc_http_test.XXXXXX";
	if (mkdtemp(pattern) == nullptr)
		throw std::runtime_error("mkdtemp failed");
	path_ = pattern;
}

TempDir::~TempDir() {
	std::error_code ignored;
	std::filesystem::remove_all(path_, ignored);
}

std::string TempDir::Write(const std::string &name, const std::string &contents) const {
	std::string path = path_ + "/" + name;
	std::ofstream(path, std::ios::binary) << contents;
	return path;
}

} // namespace pgwatch_rpc::http_test
