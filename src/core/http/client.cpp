// The libcurl-based HTTP client (client.hpp). libcurl calls back into C++ here; the callbacks
// are noexcept and turn a failure (allocation, a bound exceeded) into "abort the transfer".
#include "core/http/client.hpp"

#include "core/http/gzip.hpp"
#include "core/http/header_rules.hpp"
#include "core/http/redact.hpp"
#include "core/http/retry_after.hpp"
#include "core/text/ascii.hpp"

#include <curl/curl.h>

#include <chrono>
#include <stdexcept>

namespace pgwatch_rpc::http {
namespace {

constexpr size_t kMaxHeaderBytes = 256 * 1024; // all header lines of one exchange together
constexpr size_t kMaxHeaderCount = 500;

void InitLibcurlOnce() {
	// curl_global_init is not thread-safe; a function-local static runs it exactly once.
	static const CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
	if (rc != CURLE_OK)
		throw std::runtime_error(std::string("libcurl failed to initialise: ") + curl_easy_strerror(rc));
}

int64_t NowUnixMs() {
	using namespace std::chrono;
	return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

TransportError Categorize(CURLcode rc, bool too_large, bool stopped) {
	switch (rc) {
	case CURLE_ABORTED_BY_CALLBACK:
		return stopped ? TransportError::kStopped : TransportError::kOther;
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
		return TransportError::kConnect;
	case CURLE_OPERATION_TIMEDOUT:
		return TransportError::kTimeout;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_CLIENTCERT:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_USE_SSL_FAILED:
		return TransportError::kTls;
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return TransportError::kConnectionLost;
	case CURLE_WRITE_ERROR:
		return too_large ? TransportError::kResponseTooLarge : TransportError::kOther;
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_NOT_BUILT_IN:
	case CURLE_BAD_FUNCTION_ARGUMENT:
		return TransportError::kInvalidRequest;
	default:
		return TransportError::kOther;
	}
}

std::string DescribeTransportError(TransportError kind, CURLcode rc, const char *detail,
                                   const std::string &url, const ClientOptions &options) {
	std::string where = RedactUrl(url);
	std::string why = detail[0] != '\0' ? detail : curl_easy_strerror(rc);
	switch (kind) {
	case TransportError::kConnect:
		return "could not connect to " + where + ": " + why;
	case TransportError::kTimeout:
		return "request to " + where + " timed out (connect_timeout_ms " +
		       std::to_string(options.connect_timeout_ms) + ", timeout_ms " +
		       std::to_string(options.timeout_ms) + "): " + why;
	case TransportError::kTls:
		return "TLS with " + where + " failed: " + why +
		       (rc == CURLE_PEER_FAILED_VERIFICATION
		            ? " (set ca_file to the CA that signed the server's certificate, or fix the host name)"
		            : "");
	case TransportError::kConnectionLost:
		return "connection to " + where + " broke before the response was complete: " + why;
	case TransportError::kResponseTooLarge:
		return "response from " + where + " is larger than " + std::to_string(options.max_response_bytes) +
		       " bytes or has more than " + std::to_string(kMaxHeaderBytes) + " bytes of headers";
	case TransportError::kInvalidRequest:
		return "cannot send a request to " + where + ": " + why;
	case TransportError::kStopped:
		return "request to " + where + " abandoned: the delivery process is stopping";
	default:
		return "request to " + where + " failed: " + why;
	}
}

} // namespace

std::optional<std::string_view> FindHeader(const HeaderList &headers, std::string_view name) {
	for (const auto &header : headers)
		if (EqualsIgnoreCase(header.first, name))
			return std::string_view(header.second);
	return std::nullopt;
}

// Handle: the libcurl easy handle and what its callbacks write into during Send.
struct HttpClient::Handle {
	CURL *curl = nullptr;
	char error[CURL_ERROR_SIZE] = {};
	Response *response = nullptr;
	size_t max_body = 0;
	size_t header_bytes = 0;
	bool too_large = false;
	StopCheck stop_requested;
	bool stopped = false;   // the stop check abandoned the current request
	std::string compressed; // the gzip body of the current request, reused

	~Handle() {
		if (curl != nullptr)
			curl_easy_cleanup(curl);
	}

	static size_t OnBody(char *data, size_t size, size_t count, void *self) noexcept {
		auto *h = static_cast<Handle *>(self);
		size_t n = size * count;
		if (h->response->body.size() + n > h->max_body) {
			h->too_large = true;
			return 0;
		}
		try {
			h->response->body.append(data, n);
		} catch (...) {
			return 0;
		}
		return n;
	}

	// OnProgress is libcurl's transfer callback; a non-zero return abandons the transfer (a
	// check that throws abandons it too, reported as kOther: nothing may unwind into libcurl).
	static int OnProgress(void *self, curl_off_t, curl_off_t, curl_off_t, curl_off_t) noexcept {
		auto *h = static_cast<Handle *>(self);
		try {
			h->stopped = h->stop_requested();
		} catch (...) {
			return 1;
		}
		return h->stopped ? 1 : 0;
	}

	// OnHeader receives each header line of each response, the status line included; only
	// the final response's headers are kept (1xx and a proxy's CONNECT answer come first).
	static size_t OnHeader(char *data, size_t size, size_t count, void *self) noexcept {
		auto *h = static_cast<Handle *>(self);
		size_t n = size * count;
		h->header_bytes += n;
		HeaderList &headers = h->response->headers;
		if (h->header_bytes > kMaxHeaderBytes || headers.size() >= kMaxHeaderCount) {
			h->too_large = true;
			return 0;
		}
		std::string_view line(data, n);
		while (!line.empty() && (line.back() == '\n' || line.back() == '\r'))
			line.remove_suffix(1);
		try {
			if (line.compare(0, 5, "HTTP/") == 0) {
				headers.clear();
			} else if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
				if (!headers.empty()) // obsolete line folding continues the previous value
					headers.back().second.append(" ").append(text::TrimBlanks(line));
			} else if (size_t colon = line.find(':'); colon != std::string_view::npos) {
				headers.emplace_back(std::string(line.substr(0, colon)),
				                     std::string(text::TrimBlanks(line.substr(colon + 1))));
			}
		} catch (...) {
			return 0;
		}
		return n;
	}
};

HttpClient::HttpClient(ClientOptions options) : options_(std::move(options)), handle_(new Handle) {
	InitLibcurlOnce();
	CURL *curl = handle_->curl = curl_easy_init();
	if (curl == nullptr)
		throw std::runtime_error("libcurl could not create a handle (out of memory?)");
	CURLcode rc = CURLE_OK;
	auto set = [&](CURLoption option, auto value) {
		if (rc == CURLE_OK)
			rc = curl_easy_setopt(curl, option, value);
	};
	const TlsOptions &tls = options_.tls;
	set(CURLOPT_ERRORBUFFER, handle_->error);
	set(CURLOPT_NOSIGNAL, 1L); // timeouts without SIGALRM; the child has its own signal handling
	set(CURLOPT_PROTOCOLS_STR, "http,https");
	set(CURLOPT_FOLLOWLOCATION, 0L);
	set(CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout_ms));
	set(CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout_ms));
	set(CURLOPT_TCP_KEEPALIVE, 1L);
	set(CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
	set(CURLOPT_SSL_VERIFYPEER, tls.insecure_skip_verify ? 0L : 1L);
	set(CURLOPT_SSL_VERIFYHOST, tls.insecure_skip_verify ? 0L : 2L);
	if (!tls.ca_file.empty())
		set(CURLOPT_CAINFO, tls.ca_file.c_str());
	if (!tls.cert_file.empty())
		set(CURLOPT_SSLCERT, tls.cert_file.c_str());
	if (!tls.key_file.empty())
		set(CURLOPT_SSLKEY, tls.key_file.c_str());
	if (!tls.key_password.empty())
		set(CURLOPT_KEYPASSWD, tls.key_password.c_str());
	if (options_.proxy_mode == ProxyMode::kNone)
		set(CURLOPT_PROXY, ""); // "" also overrides the proxy environment variables
	else if (options_.proxy_mode == ProxyMode::kExplicit)
		set(CURLOPT_PROXY, options_.proxy.c_str());
	set(CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
	set(CURLOPT_ACCEPT_ENCODING, ""); // every encoding libcurl can decode
	set(CURLOPT_USERAGENT, options_.user_agent.c_str());
	set(CURLOPT_WRITEFUNCTION, &Handle::OnBody);
	set(CURLOPT_WRITEDATA, handle_.get());
	set(CURLOPT_HEADERFUNCTION, &Handle::OnHeader);
	set(CURLOPT_HEADERDATA, handle_.get());
	if (rc != CURLE_OK)
		throw std::runtime_error(std::string("libcurl refused the HTTP client's settings: ") +
		                         curl_easy_strerror(rc));
}

HttpClient::~HttpClient() = default;

void HttpClient::SetStopCheck(StopCheck stop_requested) {
	CURL *curl = handle_->curl;
	handle_->stop_requested = std::move(stop_requested);
	bool on = static_cast<bool>(handle_->stop_requested);
	curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on ? &Handle::OnProgress : nullptr);
	curl_easy_setopt(curl, CURLOPT_XFERINFODATA, handle_.get());
	curl_easy_setopt(curl, CURLOPT_NOPROGRESS, on ? 0L : 1L);
}

Response HttpClient::Send(const Request &request) {
	Response response;
	Handle &h = *handle_;
	CURL *curl = h.curl;
	h.response = &response;
	h.max_body = options_.max_response_bytes;
	h.header_bytes = 0;
	h.too_large = false;
	h.stopped = false;
	h.error[0] = '\0';
	for (const auto &header : request.headers) {
		// A value with CR or LF would let data from a sink smuggle in a header of its own.
		if (!IsHeaderName(header.first) || !IsHeaderValue(header.second)) {
			response.transport = TransportError::kInvalidRequest;
			response.error = "cannot send a request to " + RedactUrl(request.url) + ": header \"" + header.first +
			                 "\" has an invalid name or value";
			return response;
		}
	}

	// Every per-request option is set on every request: the handle remembers the last ones.
	curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
	curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, nullptr);
	bool gzipped = false;
	std::string_view body; // as sent: GET and HEAD send none
	if (request.method == "HEAD") {
		curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
	} else if (request.method != "GET") {
		body = request.body;
		if (options_.gzip_requests && !body.empty()) {
			GzipCompress(body, &h.compressed);
			body = h.compressed;
			gzipped = true;
		}
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
		// Never a null pointer: libcurl would then read the body from stdin.
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.empty() ? "" : body.data());
		if (request.method != "POST")
			curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
	}

	HeaderList sent;
	for (const auto &header : options_.headers)
		if (!FindHeader(request.headers, header.first)) // the request's own value wins
			sent.push_back(header);
	sent.insert(sent.end(), request.headers.begin(), request.headers.end());
	if (gzipped)
		sent.emplace_back("Content-Encoding", "gzip");
	if (signer_) {
		HeaderList added;
		std::string problem = signer_(OutgoingRequest{request.method, request.url, sent, body}, &added);
		if (!problem.empty()) {
			curl_easy_setopt(curl, CURLOPT_POSTFIELDS, nullptr);
			response.transport = TransportError::kInvalidRequest;
			response.error = "cannot sign the request to " + RedactUrl(request.url) + ": " + problem;
			return response;
		}
		sent.insert(sent.end(), added.begin(), added.end());
	}

	curl_slist *list = nullptr;
	bool list_ok = true;
	auto add = [&](const std::string &line) {
		curl_slist *grown = curl_slist_append(list, line.c_str());
		list_ok = list_ok && grown != nullptr;
		if (grown != nullptr)
			list = grown;
	};
	for (const auto &header : sent)
		add(header.first + ": " + header.second);
	add("Expect:"); // no 100-continue round trip before large bodies
	if (!FindHeader(request.headers, "Content-Type"))
		add("Content-Type:"); // not libcurl's default application/x-www-form-urlencoded
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);

	CURLcode rc = list_ok ? curl_easy_perform(curl) : CURLE_OUT_OF_MEMORY;
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, nullptr);
	curl_slist_free_all(list);
	h.response = nullptr;

	if (rc != CURLE_OK) {
		response.transport = Categorize(rc, h.too_large, h.stopped);
		response.error = DescribeTransportError(response.transport, rc, h.error, request.url, options_);
		response.headers.clear();
		response.body.clear();
		return response;
	}
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
	if (auto retry_after = response.Header("Retry-After"))
		response.retry_after_ms = ParseRetryAfterMs(*retry_after, NowUnixMs());
	return response;
}

} // namespace pgwatch_rpc::http
