// The HTTP client of the HTTP sinks (src/core/http) against a real loopback server
// (http_test_server.hpp): bodies, gzip both ways, headers, timeouts, refused connections,
// Retry-After, TLS verification (failure with the system CAs, success with ca_file, client
// certificates, the explicit insecure switch), proxies; plus the status classification, the
// shared config keys and the redaction helpers.
#include "core/http/client.hpp"
#include "core/http/credentials.hpp"
#include "core/http/header_rules.hpp"
#include "core/http/http_config.hpp"
#include "core/http/redact.hpp"
#include "core/http/response_class.hpp"
#include "core/http/retry_after.hpp"
#include "core/tls/self_signed.hpp"
#include "http_test_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <random>

namespace http = pgwatch_rpc::http;
namespace tls = pgwatch_rpc::tls;
using pgwatch_rpc::sink::ConfigProblem;
using pgwatch_rpc::http_test::Gunzip;
using pgwatch_rpc::http_test::HttpTestServer;
using pgwatch_rpc::http_test::ScriptedReply;
using pgwatch_rpc::http_test::TempDir;
using pgwatch_rpc::http_test::TlsServerConfig;

namespace {

// Options for tests: direct connections whatever the environment says.
http::ClientOptions Direct() {
	http::ClientOptions options;
	options.proxy_mode = http::ProxyMode::kNone;
	options.timeout_ms = 10'000;
	return options;
}

http::Request Post(const std::string &url, std::string_view body) {
	http::Request request;
	request.url = url;
	request.body = body;
	request.headers = {{"Content-Type", "application/x-ndjson"}};
	return request;
}

// A port nobody listens on: bound, then closed again.
int UnusedPort() {
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	sockaddr_in addr{};
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof addr;
	EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr), 0);
	getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len);
	close(fd);
	return ntohs(addr.sin_port);
}

// NdjsonLines: a body that looks like a bulk request, n lines.
std::string NdjsonLines(size_t n) {
	std::mt19937 rng(42);
	std::string body;
	for (size_t i = 0; i < n; i++)
		body += "{\"@timestamp\":\"2026-11-23T19:42:20.000000000Z\",\"dbname\":\"db" +
		        std::to_string(rng() % 40) + "\",\"data\":{\"xlog_location_b\":" + std::to_string(rng()) +
		        "}}\n";
	return body;
}

std::vector<ConfigProblem> Parse(const char *config, const char *secrets, http::ClientOptions *options) {
	std::vector<ConfigProblem> problems;
	http::ParseHttpConfig(nlohmann::json::parse(config), nlohmann::json::parse(secrets), options, &problems);
	return problems;
}

// ProblemFor: the reason given for key, or "" if none.
std::string ProblemFor(const std::vector<ConfigProblem> &problems, const std::string &key) {
	for (const ConfigProblem &p : problems)
		if (p.key == key)
			return p.reason;
	return "";
}

// ScopedEnv sets (or unsets, with nullptr) an environment variable for one test.
class ScopedEnv {
public:
	ScopedEnv(const char *name, const char *value) : name_(name) {
		if (const char *old = std::getenv(name)) {
			had_ = true;
			old_ = old;
		}
		if (value != nullptr)
			setenv(name, value, 1);
		else
			unsetenv(name);
	}
	~ScopedEnv() {
		if (had_)
			setenv(name_, old_.c_str(), 1);
		else
			unsetenv(name_);
	}

private:
	const char *name_;
	bool had_ = false;
	std::string old_;
};

struct TlsFixture {
	tls::PemPair server = tls::CreateSelfSigned("localhost", {"localhost", "127.0.0.1"});
	TempDir dir;
	std::string ca_file = dir.Write("ca.pem", server.certificate_pem);
};

} // namespace

TEST(HttpClient, PostsBodyWithHeadersAndReadsTheResponse) {
	HttpTestServer server;
	http::ClientOptions options = Direct();
	options.headers = {{"X-Scope-OrgID", "team-a"}};
	http::HttpClient client(options);
	std::string body = NdjsonLines(3);
	http::Request request = Post(server.Url("/_bulk?refresh=false"), body);
	request.headers.emplace_back("Authorization", http::BasicAuthorization("elastic", "changeme"));

	http::Response response = client.Send(request);
	ASSERT_EQ(response.transport, http::TransportError::kNone) << response.error;
	EXPECT_EQ(response.status, 200);
	EXPECT_EQ(response.body, "ok");
	EXPECT_EQ(http::Classify(response), http::Disposition::kDelivered);

	auto requests = server.Requests();
	ASSERT_EQ(requests.size(), 1u);
	const auto &got = requests[0];
	EXPECT_EQ(got.method, "POST");
	EXPECT_EQ(got.target, "/_bulk?refresh=false");
	EXPECT_EQ(got.body, body);
	EXPECT_EQ(got.Header("Content-Type"), "application/x-ndjson");
	EXPECT_EQ(got.Header("Content-Length"), std::to_string(body.size()));
	EXPECT_EQ(got.Header("Authorization"), "Basic ZWxhc3RpYzpjaGFuZ2VtZQ==");
	EXPECT_EQ(got.Header("X-Scope-OrgID"), "team-a");
	EXPECT_EQ(got.Header("User-Agent"), "pgwatch-rpc");
	EXPECT_EQ(got.Header("Expect"), "");
	EXPECT_EQ(got.Header("Content-Encoding"), "");
	EXPECT_NE(got.Header("Accept-Encoding").find("gzip"), std::string::npos);
}

TEST(HttpClient, RequestHeadersOverrideStaticOnes) {
	HttpTestServer server;
	http::ClientOptions options = Direct();
	options.headers = {{"X-Tenant", "static"}, {"X-Other", "kept"}};
	http::HttpClient client(options);
	http::Request request = Post(server.Url("/"), "{}");
	request.headers.emplace_back("x-tenant", "per-request");
	ASSERT_EQ(client.Send(request).status, 200);
	auto got = server.Requests().at(0);
	EXPECT_EQ(got.Header("X-Tenant"), "per-request");
	EXPECT_EQ(got.Header("X-Other"), "kept");
	int tenant_headers = 0;
	for (const auto &h : got.headers)
		tenant_headers += http::EqualsIgnoreCase(h.first, "X-Tenant");
	EXPECT_EQ(tenant_headers, 1);
}

TEST(HttpClient, GzipRequestBodyArrivesIntact) {
	HttpTestServer server;
	http::ClientOptions options = Direct();
	options.gzip_requests = true;
	http::HttpClient client(options);
	std::string body = NdjsonLines(5000);
	ASSERT_EQ(client.Send(Post(server.Url("/_bulk"), body)).status, 200);
	auto got = server.Requests().at(0);
	EXPECT_EQ(got.Header("Content-Encoding"), "gzip");
	EXPECT_LT(got.body.size(), body.size() / 3);
	EXPECT_EQ(Gunzip(got.body), body);
}

TEST(HttpClient, EmptyBodyIsSentAsIsEvenWithCompression) {
	HttpTestServer server;
	http::ClientOptions options = Direct();
	options.gzip_requests = true;
	http::HttpClient client(options);
	http::Request request;
	request.url = server.Url("/");
	ASSERT_EQ(client.Send(request).status, 200); // body left default: no pointer at all
	auto got = server.Requests().at(0);
	EXPECT_EQ(got.method, "POST");
	EXPECT_EQ(got.Header("Content-Length"), "0");
	EXPECT_EQ(got.Header("Content-Encoding"), "");
}

TEST(HttpClient, CompressedResponseIsDecoded) {
	HttpTestServer server;
	std::string big = NdjsonLines(2000);
	server.Script({200, {{"X-Elastic-Product", "Elasticsearch"}}, big, 0, true});
	http::HttpClient client(Direct());
	http::Response response = client.Send(Post(server.Url("/_bulk"), "{}\n"));
	ASSERT_EQ(response.transport, http::TransportError::kNone) << response.error;
	EXPECT_EQ(response.body, big);
	EXPECT_EQ(response.Header("content-encoding").value_or(""), "gzip");
	EXPECT_EQ(response.Header("x-elastic-product").value_or(""), "Elasticsearch"); // any case
	EXPECT_FALSE(response.Header("X-Missing").has_value());
}

TEST(HttpClient, ResponseLargerThanTheBoundFails) {
	HttpTestServer server;
	server.Script({200, {}, std::string(2 << 20, 'x')});
	http::ClientOptions options = Direct();
	options.max_response_bytes = 1 << 20;
	http::HttpClient client(options);
	http::Response response = client.Send(Post(server.Url("/"), "{}"));
	EXPECT_EQ(response.transport, http::TransportError::kResponseTooLarge);
	EXPECT_NE(response.error.find("larger than 1048576 bytes"), std::string::npos) << response.error;
	EXPECT_TRUE(response.body.empty());
	EXPECT_EQ(http::Classify(response), http::Disposition::kRetry);
}

TEST(HttpClient, KeepsOneConnectionForSuccessiveRequests) {
	HttpTestServer server;
	http::HttpClient client(Direct());
	for (int i = 0; i < 3; i++)
		ASSERT_EQ(client.Send(Post(server.Url("/"), "{}")).status, 200);
	EXPECT_EQ(server.connections(), 1);
	EXPECT_EQ(server.Requests().size(), 3u);
}

TEST(HttpClient, MethodsOtherThanPost) {
	HttpTestServer server;
	http::HttpClient client(Direct());
	http::Request get;
	get.method = "GET";
	get.url = server.Url("/status");
	get.body = "ignored";
	ASSERT_EQ(client.Send(get).status, 200);
	http::Request put = Post(server.Url("/bucket/key"), "object");
	put.method = "PUT";
	ASSERT_EQ(client.Send(put).status, 200);
	http::Request head;
	head.method = "HEAD";
	head.url = server.Url("/");
	ASSERT_EQ(client.Send(head).status, 200);
	ASSERT_EQ(client.Send(Post(server.Url("/again"), "x")).status, 200); // the handle forgets HEAD

	auto got = server.Requests();
	ASSERT_EQ(got.size(), 4u);
	EXPECT_EQ(got[0].method, "GET");
	EXPECT_EQ(got[0].body, "");
	EXPECT_EQ(got[1].method, "PUT");
	EXPECT_EQ(got[1].body, "object");
	EXPECT_EQ(got[2].method, "HEAD");
	EXPECT_EQ(got[3].method, "POST");
	EXPECT_EQ(got[3].body, "x");
}

TEST(HttpClient, TimeoutIsReportedAndTheClientRecovers) {
	HttpTestServer server;
	server.Script({200, {}, "late", 5000});
	http::ClientOptions options = Direct();
	options.timeout_ms = 300;
	http::HttpClient client(options);
	http::Response response = client.Send(Post(server.Url("/slow"), "{}"));
	EXPECT_EQ(response.transport, http::TransportError::kTimeout);
	EXPECT_EQ(response.status, 0);
	EXPECT_NE(response.error.find("timed out"), std::string::npos) << response.error;
	EXPECT_NE(response.error.find("timeout_ms 300"), std::string::npos) << response.error;
	EXPECT_EQ(http::Classify(response), http::Disposition::kRetry);

	http::Response next = client.Send(Post(server.Url("/"), "{}"));
	EXPECT_EQ(next.transport, http::TransportError::kNone) << next.error;
	EXPECT_EQ(next.status, 200);
}

// A stop requested while the target sits on a request (5 s, timeout_ms 60 s) abandons it
// before the answer: libcurl asks the stop check at least once a second. The next request,
// with no stop requested, goes through on the same client.
TEST(HttpClient, AStopAbandonsTheRequestInFlight) {
	HttpTestServer server;
	server.Script({200, {}, "late", 5000});
	http::HttpClient client(Direct()); // timeout_ms 60 s
	auto stop_after = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
	bool stop = true;
	int checks = 0;
	client.SetStopCheck([&] {
		checks++;
		return stop && std::chrono::steady_clock::now() >= stop_after;
	});
	http::Response response = client.Send(Post(server.Url("/slow"), "{}"));
	EXPECT_EQ(response.transport, http::TransportError::kStopped) << "not abandoned: " << response.status;
	EXPECT_EQ(response.status, 0);
	EXPECT_NE(response.error.find("abandoned: the delivery process is stopping"), std::string::npos)
	    << response.error;
	EXPECT_EQ(http::Classify(response), http::Disposition::kRetry);
	EXPECT_GT(checks, 0);

	stop = false;
	http::Response next = client.Send(Post(server.Url("/"), "{}"));
	EXPECT_EQ(next.transport, http::TransportError::kNone) << next.error;
	EXPECT_EQ(next.status, 200);
}

TEST(HttpClient, ConnectionRefusedIsAConnectError) {
	http::HttpClient client(Direct());
	std::string url = "http://127.0.0.1:" + std::to_string(UnusedPort()) + "/_bulk";
	http::Response response = client.Send(Post(url, "{}"));
	EXPECT_EQ(response.transport, http::TransportError::kConnect);
	EXPECT_NE(response.error.find("could not connect to " + url), std::string::npos) << response.error;
	EXPECT_EQ(http::Classify(response), http::Disposition::kRetry);
}

TEST(HttpClient, UnsupportedSchemeIsAnInvalidRequest) {
	http::HttpClient client(Direct());
	http::Response response = client.Send(Post("ftp://127.0.0.1/file", "{}"));
	EXPECT_EQ(response.transport, http::TransportError::kInvalidRequest);
}

TEST(HttpClient, HeaderInjectionIsRefusedBeforeSending) {
	HttpTestServer server;
	http::HttpClient client(Direct());
	http::Request request = Post(server.Url("/"), "{}");
	request.headers.emplace_back("X-Index", "metrics\r\nX-Injected: 1");
	http::Response response = client.Send(request);
	EXPECT_EQ(response.transport, http::TransportError::kInvalidRequest);
	EXPECT_NE(response.error.find("header \"X-Index\""), std::string::npos) << response.error;
	EXPECT_TRUE(server.Requests().empty());
}

TEST(HttpClient, RetryAfterSecondsAndDate) {
	HttpTestServer server;
	server.Script({503, {{"Retry-After", "3"}}, "{\"code\":9,\"text\":\"Server is busy\"}"});
	server.Script({429, {{"Retry-After", "Fri, 31 Dec 2099 23:59:59 GMT"}}, ""});
	server.Script({200, {{"Retry-After", "soon"}}, ""});
	http::HttpClient client(Direct());

	http::Response busy = client.Send(Post(server.Url("/services/collector/event"), "{}"));
	EXPECT_EQ(busy.status, 503);
	EXPECT_EQ(busy.retry_after_ms, 3000);
	EXPECT_EQ(http::Classify(busy), http::Disposition::kRetry);

	http::Response throttled = client.Send(Post(server.Url("/"), "{}"));
	EXPECT_EQ(throttled.status, 429);
	EXPECT_EQ(throttled.retry_after_ms, 365LL * 86400 * 1000); // far future: capped at a year

	http::Response garbage = client.Send(Post(server.Url("/"), "{}"));
	EXPECT_EQ(garbage.retry_after_ms, -1);
}

TEST(HttpRetryAfter, ParsesSecondsAndTheThreeDateForms) {
	// 1445412480 = Wed, 21 Oct 2015 07:28:00 GMT
	const int64_t now_ms = 1445412480LL * 1000 - 5000;
	EXPECT_EQ(http::ParseRetryAfterMs("120", now_ms), 120000);
	EXPECT_EQ(http::ParseRetryAfterMs(" 0 ", now_ms), 0);
	EXPECT_EQ(http::ParseRetryAfterMs("Wed, 21 Oct 2015 07:28:00 GMT", now_ms), 5000);
	EXPECT_EQ(http::ParseRetryAfterMs("Wednesday, 21-Oct-15 07:28:00 GMT", now_ms), 5000);
	EXPECT_EQ(http::ParseRetryAfterMs("Wed Oct 21 07:28:00 2015", now_ms), 5000);
	EXPECT_EQ(http::ParseRetryAfterMs("Wed, 21 Oct 2015 07:28:00 GMT", now_ms + 60000), 0); // in the past
	EXPECT_EQ(http::ParseRetryAfterMs("99999999999999999999", now_ms), 365LL * 86400 * 1000);
	for (const char *bad : {"", "soon", "-5", "1.5", "12 monkeys", "+3", "3s", "tomorrow"})
		EXPECT_EQ(http::ParseRetryAfterMs(bad, now_ms), -1) << bad;
}

TEST(HttpClient, TlsVerificationFailsWithoutTheCaAndSucceedsWithCaFile) {
	TlsFixture fx;
	HttpTestServer server(TlsServerConfig{fx.server.certificate_pem, fx.server.private_key_pem, ""});

	http::HttpClient system_cas(Direct());
	http::Response refused = system_cas.Send(Post(server.Url("/"), "{}"));
	EXPECT_EQ(refused.transport, http::TransportError::kTls);
	EXPECT_NE(refused.error.find("set ca_file"), std::string::npos) << refused.error;
	EXPECT_TRUE(server.Requests().empty());

	http::ClientOptions trusting = Direct();
	trusting.tls.ca_file = fx.ca_file;
	http::HttpClient client(trusting);
	http::Response ok = client.Send(Post(server.Url("/"), "{}"));
	EXPECT_EQ(ok.transport, http::TransportError::kNone) << ok.error;
	EXPECT_EQ(ok.status, 200);

	http::ClientOptions insecure = Direct();
	insecure.tls.insecure_skip_verify = true;
	http::HttpClient unchecked(insecure);
	EXPECT_EQ(unchecked.Send(Post(server.Url("/"), "{}")).status, 200);
}

TEST(HttpClient, TlsHostNameMustMatchTheCertificate) {
	TlsFixture fx;
	tls::PemPair elsewhere = tls::CreateSelfSigned("es.example", {"es.example"});
	HttpTestServer server(TlsServerConfig{elsewhere.certificate_pem, elsewhere.private_key_pem, ""});
	http::ClientOptions options = Direct();
	options.tls.ca_file = fx.dir.Write("elsewhere.pem", elsewhere.certificate_pem);
	http::HttpClient client(options);
	http::Response response = client.Send(Post(server.Url("/"), "{}"));
	EXPECT_EQ(response.transport, http::TransportError::kTls) << response.error;
}

TEST(HttpClient, MissingCaFileIsATlsError) {
	TlsFixture fx;
	HttpTestServer server(TlsServerConfig{fx.server.certificate_pem, fx.server.private_key_pem, ""});
	http::ClientOptions options = Direct();
	options.tls.ca_file = "/nonexistent/ca.pem";
	http::HttpClient client(options);
	http::Response response = client.Send(Post(server.Url("/"), "{}"));
	EXPECT_EQ(response.transport, http::TransportError::kTls) << response.error;
}

TEST(HttpClient, ClientCertificateIsPresentedWhenConfigured) {
	TlsFixture fx;
	tls::PemPair client_pair = tls::CreateSelfSigned("pgwatch-rpc-client", {"client.example"});
	HttpTestServer server(
	    TlsServerConfig{fx.server.certificate_pem, fx.server.private_key_pem, client_pair.certificate_pem});

	http::ClientOptions without = Direct();
	without.tls.ca_file = fx.ca_file;
	http::HttpClient anonymous(without);
	http::Response refused = anonymous.Send(Post(server.Url("/"), "{}"));
	EXPECT_NE(refused.transport, http::TransportError::kNone);
	EXPECT_TRUE(server.Requests().empty());

	http::ClientOptions with = without;
	with.tls.cert_file = fx.dir.Write("client.pem", client_pair.certificate_pem);
	with.tls.key_file = fx.dir.Write("client.key", client_pair.private_key_pem);
	http::HttpClient identified(with);
	http::Response ok = identified.Send(Post(server.Url("/"), "{}"));
	ASSERT_EQ(ok.transport, http::TransportError::kNone) << ok.error;
	EXPECT_EQ(ok.status, 200);
	ASSERT_EQ(server.Requests().size(), 1u);
	EXPECT_TRUE(server.Requests()[0].client_certificate);
}

TEST(HttpClient, ExplicitProxyReceivesTheAbsoluteUrl) {
	HttpTestServer proxy;
	http::ClientOptions options = Direct();
	options.proxy_mode = http::ProxyMode::kExplicit;
	options.proxy = proxy.Url("");
	http::HttpClient client(options);
	ASSERT_EQ(client.Send(Post("http://es.example.invalid:9200/_bulk", "{}")).status, 200);
	EXPECT_EQ(proxy.Requests().at(0).target, "http://es.example.invalid:9200/_bulk");
}

TEST(HttpClient, EnvironmentProxyIsUsedUnlessProxyIsEmpty) {
	HttpTestServer proxy;
	ScopedEnv env_proxy("http_proxy", proxy.Url("").c_str());
	ScopedEnv no_proxy("no_proxy", nullptr);
	ScopedEnv no_proxy_upper("NO_PROXY", nullptr);
	std::string url = proxy.Url("/direct");

	http::ClientOptions from_environment = Direct();
	from_environment.proxy_mode = http::ProxyMode::kEnvironment;
	http::HttpClient proxied(from_environment);
	ASSERT_EQ(proxied.Send(Post(url, "{}")).status, 200);

	http::HttpClient direct(Direct()); // proxy: "" in config
	ASSERT_EQ(direct.Send(Post(url, "{}")).status, 200);

	auto got = proxy.Requests();
	ASSERT_EQ(got.size(), 2u);
	EXPECT_EQ(got[0].target, url); // absolute form: sent to a proxy
	EXPECT_EQ(got[1].target, "/direct");
}

TEST(HttpResponseClass, StatusesFollowTheCommonContract) {
	for (long status : {200L, 201L, 202L, 204L})
		EXPECT_EQ(http::ClassifyStatus(status), http::Disposition::kDelivered) << status;
	for (long status : {408L, 425L, 429L, 500L, 502L, 503L, 504L, 507L})
		EXPECT_EQ(http::ClassifyStatus(status), http::Disposition::kRetry) << status;
	for (long status : {100L, 301L, 304L, 400L, 401L, 403L, 404L, 409L, 413L, 422L, 501L, 505L})
		EXPECT_EQ(http::ClassifyStatus(status), http::Disposition::kPermanent) << status;
}

TEST(HttpResponseClass, DescriptionIsOneSafeLine) {
	http::Request request;
	request.url = "https://elastic:changeme@es:9200/_bulk";
	http::Response response;
	response.status = 400;
	response.body = "{\"error\":\n\"mapper_parsing_exception\"}" + std::string(1000, 'x');
	std::string text = http::DescribeResponse(request, response);
	EXPECT_EQ(
	    text.find("HTTP 400 from https://elastic:[redacted]@es:9200/_bulk: {\"error\": \"mapper_parsing"), 0u)
	    << text;
	EXPECT_EQ(text.find('\n'), std::string::npos);
	EXPECT_LT(text.size(), 400u);
	EXPECT_EQ(text.substr(text.size() - 3), "…");
	EXPECT_EQ(text.find("changeme"), std::string::npos);

	response.transport = http::TransportError::kConnect;
	response.error = "could not connect to https://es:9200/_bulk: refused";
	EXPECT_EQ(http::DescribeResponse(request, response), response.error);
}

TEST(HttpConfig, DefaultsStayWhenKeysAreAbsent) {
	http::ClientOptions options;
	options.gzip_requests = true; // a sink's own default
	EXPECT_TRUE(Parse("{}", "{}", &options).empty());
	EXPECT_TRUE(options.gzip_requests);
	EXPECT_EQ(options.timeout_ms, 60000);
	EXPECT_EQ(options.connect_timeout_ms, 10000);
	EXPECT_EQ(options.proxy_mode, http::ProxyMode::kEnvironment);
	EXPECT_FALSE(options.tls.insecure_skip_verify);
}

TEST(HttpConfig, ReadsEveryKey) {
	http::ClientOptions options;
	auto problems =
	    Parse(R"({"timeout_ms": 30000, "connect_timeout_ms": 2e3, "ca_file": "/etc/ssl/ca.pem",
	                          "cert_file": "/etc/pgwatch/client.pem", "key_file": "/etc/pgwatch/client.key",
	                          "insecure_skip_verify": true, "proxy": "http://proxy:3128", "compression": "none",
	                          "headers": {"X-Scope-OrgID": "team-a"}, "max_batch_rows": 10})",
	          R"({"headers": {"Authorization": "Bearer t0ken"}, "key_password": "pw"})", &options);
	EXPECT_TRUE(problems.empty()) << ProblemFor(problems, problems.empty() ? "" : problems[0].key);
	EXPECT_EQ(options.timeout_ms, 30000);
	EXPECT_EQ(options.connect_timeout_ms, 2000);
	EXPECT_EQ(options.tls.ca_file, "/etc/ssl/ca.pem");
	EXPECT_EQ(options.tls.cert_file, "/etc/pgwatch/client.pem");
	EXPECT_EQ(options.tls.key_file, "/etc/pgwatch/client.key");
	EXPECT_EQ(options.tls.key_password, "pw");
	EXPECT_TRUE(options.tls.insecure_skip_verify);
	EXPECT_EQ(options.proxy_mode, http::ProxyMode::kExplicit);
	EXPECT_EQ(options.proxy, "http://proxy:3128");
	EXPECT_FALSE(options.gzip_requests);
	http::HeaderList expected = {{"X-Scope-OrgID", "team-a"}, {"Authorization", "Bearer t0ken"}};
	EXPECT_EQ(options.headers, expected);

	http::ClientOptions no_proxy;
	EXPECT_TRUE(Parse(R"({"proxy": ""})", "{}", &no_proxy).empty());
	EXPECT_EQ(no_proxy.proxy_mode, http::ProxyMode::kNone);
}

TEST(HttpConfig, BadValuesNameTheKeyAndTheFix) {
	http::ClientOptions options;
	auto problems = Parse(R"({"timeout_ms": "30s", "connect_timeout_ms": 0.5, "ca_file": "certs/ca.pem",
	                          "insecure_skip_verify": "yes", "proxy": "ftp://proxy", "compression": "br",
	                          "headers": {"Bad Header": "x", "X-Multi": "a\r\nInjected: 1",
	                                      "Content-Length": "5", "Authorization": "Basic abc"},
	                          "key_file": "/k.pem", "tls_verify": false, "timeout": "30s"})",
	                      R"({"proxy": 3128, "key_password": 1})", &options);
	EXPECT_NE(ProblemFor(problems, "timeout_ms").find("whole number of milliseconds between 1 and 3600000"),
	          std::string::npos);
	EXPECT_NE(ProblemFor(problems, "connect_timeout_ms").find("not 0.5"), std::string::npos);
	EXPECT_NE(ProblemFor(problems, "ca_file").find("absolute path"), std::string::npos);
	EXPECT_EQ(ProblemFor(problems, "insecure_skip_verify"), "must be true or false");
	EXPECT_NE(ProblemFor(problems, "proxy").find("socks5h://"), std::string::npos);
	EXPECT_NE(ProblemFor(problems, "compression").find("\"gzip\" or \"none\""), std::string::npos);
	EXPECT_NE(ProblemFor(problems, "headers.Bad Header").find("not a valid header name"), std::string::npos);
	EXPECT_NE(ProblemFor(problems, "headers.X-Multi").find("control characters"), std::string::npos);
	EXPECT_NE(ProblemFor(problems, "headers.Content-Length").find("set by the HTTP client"),
	          std::string::npos);
	EXPECT_NE(ProblemFor(problems, "headers.Authorization").find("secrets.headers"), std::string::npos);
	EXPECT_NE(ProblemFor(problems, "key_file").find("needs cert_file"), std::string::npos);
	EXPECT_NE(ProblemFor(problems, "tls_verify").find("insecure_skip_verify"), std::string::npos);
	EXPECT_NE(ProblemFor(problems, "timeout").find("timeout_ms"), std::string::npos);
	EXPECT_NE(ProblemFor(problems, "secrets.proxy").find("proxy URL"), std::string::npos);
	EXPECT_EQ(ProblemFor(problems, "secrets.key_password"), "must be a string");
	EXPECT_EQ(problems.size(), 15u);
	EXPECT_TRUE(options.headers.empty()); // nothing bad slipped through
}

TEST(HttpConfig, ProxyPasswordsBelongInSecrets) {
	http::ClientOptions options;
	auto problems = Parse(R"({"proxy": "http://user:pw@proxy:3128"})", "{}", &options);
	EXPECT_NE(ProblemFor(problems, "proxy").find("secrets.proxy"), std::string::npos);
	EXPECT_EQ(options.proxy_mode, http::ProxyMode::kEnvironment);

	EXPECT_TRUE(Parse(R"({"proxy": "http://user@proxy:3128"})", "{}", &options).empty()); // no password
	EXPECT_TRUE(Parse("{}", R"({"proxy": "http://user:pw@proxy:3128"})", &options).empty());
	EXPECT_EQ(options.proxy, "http://user:pw@proxy:3128");
}

TEST(HttpConfig, KnowsItsKeys) {
	for (const char *key :
	     {"timeout_ms", "connect_timeout_ms", "ca_file", "cert_file", "key_file", "insecure_skip_verify",
	      "proxy", "compression", "headers", "tls_verify", "ssl_verify"})
		EXPECT_TRUE(http::IsHttpKey(key)) << key;
	EXPECT_FALSE(http::IsHttpKey("hosts"));
	EXPECT_FALSE(http::IsHttpKey("max_batch_rows"));
	for (const char *key : {"headers", "proxy", "key_password"})
		EXPECT_TRUE(http::IsHttpSecretKey(key)) << key;
	EXPECT_FALSE(http::IsHttpSecretKey("token"));
}

TEST(HttpRedact, HeadersUrlsAndEchoedSecrets) {
	EXPECT_EQ(http::LoggableHeaderValue("Authorization", "Basic ZWxhc3RpYzpjaGFuZ2VtZQ=="), http::kRedacted);
	EXPECT_EQ(http::LoggableHeaderValue("proxy-authorization", "x"), http::kRedacted);
	EXPECT_EQ(http::LoggableHeaderValue("X-ClickHouse-Key", "pw"), http::kRedacted);
	EXPECT_EQ(http::LoggableHeaderValue("X-Api-Key", "k"), http::kRedacted);
	EXPECT_EQ(http::LoggableHeaderValue("Content-Type", "application/json"), "application/json");
	EXPECT_EQ(http::LoggableHeaderValue("Idempotency-Key", "1:42"), "1:42");

	EXPECT_EQ(http::RedactUrl("https://user:pw@es:9200/_bulk?api_key=abc&pipeline=p&sig=s#frag"),
	          "https://user:[redacted]@es:9200/_bulk?api_key=[redacted]&pipeline=p&sig=[redacted]#frag");
	EXPECT_EQ(http::RedactUrl("http://es:9200/_bulk"), "http://es:9200/_bulk");
	EXPECT_EQ(http::RedactUrl("http://user@es:9200/?token=t"), "http://user@es:9200/?token=[redacted]");

	http::SecretRedactor redactor;
	redactor.Add("s3cret");
	redactor.Add("s3cret-longer");
	redactor.Add("");
	EXPECT_EQ(redactor.Redact("bad token s3cret-longer, also s3cret and s3cret"),
	          "bad token [redacted], also [redacted] and [redacted]");
}

TEST(HttpCredentials, AuthorizationValues) {
	EXPECT_EQ(http::BasicAuthorization("elastic", "changeme"), "Basic ZWxhc3RpYzpjaGFuZ2VtZQ==");
	EXPECT_EQ(http::BearerAuthorization("t0ken"), "Bearer t0ken");
	EXPECT_EQ("ApiKey " + http::Base64("abc:def"), "ApiKey YWJjOmRlZg=="); // SINKS.md §2.8 check 5
}
