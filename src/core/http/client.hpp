// A small blocking HTTP client on libcurl for the delivery children's sinks: one object per
// sink, one libcurl handle reused across requests (keep-alive, TLS session reuse, HTTP/2 when
// the server offers it). Never used inside PostgreSQL processes (DESIGN.md §3, invariant 1).
//
// What it does for every sink: TLS 1.2+ with verification on unless insecure_skip_verify; a
// connect and a total timeout; gzip request bodies (compression); compressed responses
// accepted and decoded, bounded by max_response_bytes; redirects not followed (a POST must not
// silently land elsewhere); only http:// and https:// URLs; no "Expect: 100-continue" round
// trip; Retry-After read into milliseconds; an optional signing hook (AWS SigV4) that sees the
// request after compression; an optional stop check that abandons a request in flight when
// the process is asked to stop. Errors name the URL with credentials removed.
#pragma once
#include "core/core_only.hpp"
#include "core/http/http_config.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace pgwatch_rpc::http {

// FindHeader: the value of the first header called name (case-insensitive).
std::optional<std::string_view> FindHeader(const HeaderList &headers, std::string_view name);

struct Request {
	std::string method = "POST"; // GET and HEAD send no body; any other method sends body
	std::string url;
	HeaderList headers;    // after the client's static headers; Content-Type belongs here
	std::string_view body; // not owned: must outlive Send
};

// OutgoingRequest: a request as Send hands it to libcurl, shown to a RequestSigner.
struct OutgoingRequest {
	std::string_view method;
	std::string_view url;
	const HeaderList &headers; // every header sent but libcurl's own (Host, Content-Length,
	                           // User-Agent, Accept-Encoding): static, the request's, Content-Encoding
	std::string_view body;     // the bytes sent: gzip-compressed when the client compresses
};

// RequestSigner: called by Send for every request after compression, so that a signature
// (SigV4, sigv4.hpp) covers the bytes and headers sent. It appends the headers to add to *add
// and returns "", or says why it cannot sign (the request then fails as kInvalidRequest, unsent).
using RequestSigner = std::function<std::string(const OutgoingRequest &request, HeaderList *add)>;

// StopCheck: asked while a request is in flight (at least once a second, more often while
// bytes move); true abandons the request (TransportError::kStopped). A throw abandons it too.
using StopCheck = std::function<bool()>;

// Why a request got no HTTP response. All of them mean "nothing can be assumed delivered"
// (SINKS.md §0.2 retries them); kConnectionLost is the one where the server may have received
// and processed the request before the connection broke.
enum class TransportError {
	kNone,
	kConnect,          // name resolution or TCP connection failed (refused, unreachable, proxy)
	kTimeout,          // connect_timeout_ms or timeout_ms elapsed
	kTls,              // handshake failed: certificate not trusted, wrong host name, bad client cert
	kConnectionLost,   // the connection broke while sending or receiving
	kResponseTooLarge, // the (decoded) body or the headers exceeded the client's bounds
	kInvalidRequest,   // the URL or an option is not usable (malformed URL, unsupported scheme)
	kStopped,          // abandoned because the process is stopping (SetStopCheck); the server
	                   // may have received it
	kOther,
};

struct Response {
	TransportError transport = TransportError::kNone;
	std::string error; // for a transport error: what failed, safe to log
	long status = 0;   // the final HTTP status (0 without a response)
	HeaderList headers;
	std::string body;
	int64_t retry_after_ms = -1; // from Retry-After, relative to when the response arrived; -1 = none

	std::optional<std::string_view> Header(std::string_view name) const { return FindHeader(headers, name); }
};

class HttpClient {
public:
	// Throws std::runtime_error if libcurl cannot be initialised.
	explicit HttpClient(ClientOptions options);
	~HttpClient();
	HttpClient(const HttpClient &) = delete;
	HttpClient &operator=(const HttpClient &) = delete;

	// Send performs one request and waits for its response (or the timeout). Failures are in
	// the Response; it throws only if zlib cannot gzip the body or the signer cannot hash it
	// (out of memory).
	Response Send(const Request &request);

	const ClientOptions &options() const { return options_; }

	// SetSigner installs the hook that authenticates every request (none by default).
	void SetSigner(RequestSigner signer) { signer_ = std::move(signer); }

	// SetStopCheck installs the check that abandons a request in flight (none by default), so
	// a slow or silent target does not hold up a stop for up to timeout_ms. Sinks pass their
	// Waiter's StopRequested.
	void SetStopCheck(StopCheck stop_requested);

private:
	struct Handle;
	ClientOptions options_;
	RequestSigner signer_;
	std::unique_ptr<Handle> handle_;
};

} // namespace pgwatch_rpc::http
