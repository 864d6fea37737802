// AWS SigV4 (src/core/http/sigv4.hpp): known answers from AWS's published SigV4 test suite
// (each expected signature also reproduced with @smithy/signature-v4 before it was written
// here), the canonical request's rules one by one, the client's signing hook (the signature
// covers the gzip bytes sent), and a cross-check of varied requests against AWS's own signer
// (test/interop/node/sigv4_sign.js; skipped without node_modules).
#include "core/http/client.hpp"
#include "core/http/credentials.hpp"
#include "core/http/gzip.hpp"
#include "core/http/sigv4.hpp"
#include "http_test_server.hpp"
#include "sigv4_oracle.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <optional>

namespace http = pgwatch_rpc::http;
using nlohmann::json;
using pgwatch_rpc::http_test::HttpTestServer;

namespace {

// The test suite's credentials, scope and time (20150830T123600Z).
constexpr const char *kSuiteKeyId = "AKIDEXAMPLE";
constexpr const char *kSuiteSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr int64_t kSuiteTime = 1440938160;
constexpr const char *kSuiteScope = "AKIDEXAMPLE/20150830/us-east-1/service/aws4_request";

http::AwsCredentials SuiteCredentials(const std::string &session_token = "") {
	return {kSuiteKeyId, kSuiteSecret, session_token};
}

// The suite signs no x-amz-content-sha256.
http::SigV4Scope SuiteScope() {
	http::SigV4Scope scope;
	scope.region = "us-east-1";
	scope.service = "service";
	scope.content_sha256_header = false;
	return scope;
}

http::SigV4Result Sign(const std::string &method, const std::string &url, const http::HeaderList &headers,
                       std::string_view body = "",
                       const http::AwsCredentials &credentials = SuiteCredentials(),
                       const http::SigV4Scope &scope = SuiteScope(), std::string_view payload_hash = "") {
	http::SigV4Input input;
	input.method = method;
	input.url = url;
	input.headers = &headers;
	input.body = body;
	input.payload_hash = payload_hash;
	input.unix_seconds = kSuiteTime;
	return http::SignSigV4(input, credentials, scope);
}

std::string HeaderOf(const http::SigV4Result &result, std::string_view name) {
	auto value = http::FindHeader(result.headers, name);
	return value ? std::string(*value) : "";
}

// Line: line n (0-based) of a canonical request.
std::string Line(const std::string &text, size_t n) {
	size_t start = 0;
	for (size_t i = 0; i < n; i++)
		start = text.find('\n', start) + 1;
	return text.substr(start, text.find('\n', start) - start);
}

struct SuiteCase {
	const char *name; // the test suite's folder name
	const char *method;
	const char *url;
	http::HeaderList headers;
	const char *body;
	const char *session_token;
	const char *signed_headers;
	const char *signature;
};

} // namespace

// AWS's SigV4 test suite (aws-sig-v4-test-suite, as mirrored in awslabs/aws-c-auth), only the
// cases whose request can be written as an ASCII URL; get-vanilla and
// post-x-www-form-urlencoded are also in SINKS.md §4.1.
TEST(SigV4, AwsTestSuiteVectors) {
	const SuiteCase cases[] = {
	    {"get-vanilla",
	     "GET",
	     "https://example.amazonaws.com/",
	     {},
	     "",
	     "",
	     "host;x-amz-date",
	     "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
	    {"post-x-www-form-urlencoded",
	     "POST",
	     "https://example.amazonaws.com/",
	     {{"Content-Type", "application/x-www-form-urlencoded"}},
	     "Param1=value1",
	     "",
	     "content-type;host;x-amz-date",
	     "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"},
	    {"get-vanilla-query-order-key-case",
	     "GET",
	     "https://example.amazonaws.com/?Param2=value2&Param1=value1",
	     {},
	     "",
	     "",
	     "host;x-amz-date",
	     "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
	    {"get-vanilla-empty-query-key",
	     "GET",
	     "https://example.amazonaws.com/?Param1=value1",
	     {},
	     "",
	     "",
	     "host;x-amz-date",
	     "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"},
	    {"get-header-value-trim",
	     "GET",
	     "https://example.amazonaws.com/",
	     {{"My-Header1", " value1"}, {"My-Header2", "\"a   b   c\""}},
	     "",
	     "",
	     "host;my-header1;my-header2;x-amz-date",
	     "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"},
	    {"get-header-key-duplicate",
	     "GET",
	     "https://example.amazonaws.com/",
	     {{"My-Header1", "value2"}, {"My-Header1", "value2"}, {"My-Header1", "value1"}},
	     "",
	     "",
	     "host;my-header1;x-amz-date",
	     "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"},
	    {"get-unreserved",
	     "GET",
	     "https://example.amazonaws.com/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
	     {},
	     "",
	     "",
	     "host;x-amz-date",
	     "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"},
	    {"get-slashes-normalized",
	     "GET",
	     "https://example.amazonaws.com//example//",
	     {},
	     "",
	     "",
	     "host;x-amz-date",
	     "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84"},
	    {"get-vanilla-with-session-token",
	     "GET",
	     "https://example.amazonaws.com/",
	     {},
	     "",
	     "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267",
	     "host;x-amz-date;x-amz-security-token",
	     "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8"},
	};
	for (const SuiteCase &c : cases) {
		http::SigV4Result result =
		    Sign(c.method, c.url, c.headers, c.body, SuiteCredentials(c.session_token));
		ASSERT_EQ(result.error, "") << c.name;
		EXPECT_EQ(HeaderOf(result, "Authorization"), std::string("AWS4-HMAC-SHA256 Credential=") +
		                                                 kSuiteScope + ", SignedHeaders=" + c.signed_headers +
		                                                 ", Signature=" + c.signature)
		    << c.name << "\n"
		    << result.canonical_request;
		EXPECT_EQ(HeaderOf(result, "X-Amz-Date"), "20150830T123600Z") << c.name;
		EXPECT_EQ(HeaderOf(result, "Host"), "example.amazonaws.com") << c.name;
		EXPECT_EQ(HeaderOf(result, "X-Amz-Security-Token"), c.session_token) << c.name;
	}
}

// get-vanilla's canonical request and string to sign, as the suite publishes them.
TEST(SigV4, GetVanillaCanonicalRequestAndStringToSign) {
	http::SigV4Result result = Sign("GET", "https://example.amazonaws.com/", {});
	EXPECT_EQ(result.canonical_request,
	          "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
	          "host;x-amz-date\n"
	          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	EXPECT_EQ(result.string_to_sign,
	          "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
	          "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
}

// The path as sent is encoded once more for every service but S3, after normalisation.
TEST(SigV4, CanonicalUriIsDoubleEncodedExceptForS3) {
	std::string url = "https://h.example/my%20index/./caf%C3%A9/x/../_doc/a%2Fb";
	http::SigV4Result es = Sign("GET", url, {});
	ASSERT_EQ(es.error, "");
	EXPECT_EQ(Line(es.canonical_request, 1), "/my%2520index/caf%25C3%25A9/_doc/a%252Fb");

	http::SigV4Scope s3 = SuiteScope();
	s3.s3_path = true;
	http::SigV4Result object = Sign("GET", url, {}, "", SuiteCredentials(), s3);
	EXPECT_EQ(Line(object.canonical_request, 1), "/my%20index/./caf%C3%A9/x/../_doc/a%2Fb");
	EXPECT_NE(HeaderOf(object, "Authorization"), HeaderOf(es, "Authorization"));

	EXPECT_EQ(Line(Sign("GET", "https://h.example", {}).canonical_request, 1), "/") << "no path is /";
	EXPECT_EQ(http::AwsUriEncode("a b/c~*+", false), "a%20b%2Fc~%2A%2B");
	EXPECT_EQ(http::AwsUriEncode("a b/c", true), "a%20b/c");
}

TEST(SigV4, CanonicalQueryIsDecodedEncodedAndSorted) {
	http::SigV4Result result = Sign(
	    "GET", "https://h.example/?b=2&a=1&a=%2a&flag&&c=x+y&f=errors,items.*.status&e=%e2%82%ac#frag", {});
	ASSERT_EQ(result.error, "");
	EXPECT_EQ(Line(result.canonical_request, 2),
	          "a=%2A&a=1&b=2&c=x%2By&e=%E2%82%AC&f=errors%2Citems.%2A.status&flag=");

	http::SigV4Result bad = Sign("GET", "https://h.example/?q=100%", {});
	EXPECT_NE(bad.error.find("malformed percent-escape"), std::string::npos) << bad.error;
	EXPECT_TRUE(bad.headers.empty());
}

TEST(SigV4, HeadersAreTrimmedLowerCasedAndClientHeadersLeftUnsigned) {
	http::HeaderList headers = {{"X-Custom", "  a \t  b  "},
	                            {"User-Agent", "pgwatch-rpc"},
	                            {"Content-Encoding", "gzip"},
	                            {"Proxy-Authorization", "Basic eDp5"},
	                            {"Expect", ""}};
	http::SigV4Scope scope = SuiteScope();
	scope.content_sha256_header = true;
	http::SigV4Result result = Sign("POST", "https://h.example/", headers, "body", SuiteCredentials(), scope);
	ASSERT_EQ(result.error, "");
	EXPECT_EQ(Line(result.canonical_request, 3), "content-encoding:gzip");
	EXPECT_EQ(Line(result.canonical_request, 5), "x-amz-content-sha256:" + http::Sha256Hex("body"));
	EXPECT_EQ(Line(result.canonical_request, 7), "x-custom:a b");
	EXPECT_NE(HeaderOf(result, "Authorization")
	              .find("SignedHeaders=content-encoding;host;x-amz-content-sha256;x-amz-date;x-custom,"),
	          std::string::npos)
	    << HeaderOf(result, "Authorization");

	http::HeaderList with_host = {{"Host", "alias.example:8443"}};
	http::SigV4Result given = Sign("GET", "https://h.example/", with_host);
	EXPECT_EQ(HeaderOf(given, "Host"), "") << "a Host given is signed, not replaced";
	EXPECT_EQ(Line(given.canonical_request, 3), "host:alias.example:8443");
}

TEST(SigV4, HostIsTheUrlsAuthorityWithoutTheDefaultPort) {
	EXPECT_EQ(HeaderOf(Sign("GET", "https://h.example:443/", {}), "Host"), "h.example");
	EXPECT_EQ(HeaderOf(Sign("GET", "http://h.example:80/x", {}), "Host"), "h.example");
	EXPECT_EQ(HeaderOf(Sign("GET", "http://h.example:9200/x", {}), "Host"), "h.example:9200");
	EXPECT_EQ(HeaderOf(Sign("GET", "https://h.example:80/x", {}), "Host"), "h.example:80");
	EXPECT_EQ(HeaderOf(Sign("GET", "http://[::1]:9200?x=1", {}), "Host"), "[::1]:9200");
}

// aoss and S3 want the payload hash as a header; a caller may give the hash instead of the
// body (a streamed upload, or UNSIGNED-PAYLOAD).
TEST(SigV4, PayloadHashGivenOrComputedAndSentAsHeader) {
	http::SigV4Scope aoss;
	aoss.region = "eu-west-1";
	aoss.service = "aoss";
	std::string body = "{\"create\":{}}\n{}\n";
	http::SigV4Result from_body =
	    Sign("POST", "https://c.eu-west-1.aoss.amazonaws.com/_bulk", {}, body, SuiteCredentials(), aoss);
	EXPECT_EQ(HeaderOf(from_body, "x-amz-content-sha256"), http::Sha256Hex(body));
	http::SigV4Result from_hash = Sign("POST", "https://c.eu-west-1.aoss.amazonaws.com/_bulk", {}, "",
	                                   SuiteCredentials(), aoss, http::Sha256Hex(body));
	EXPECT_EQ(HeaderOf(from_hash, "Authorization"), HeaderOf(from_body, "Authorization"));
	http::SigV4Result unsigned_payload = Sign("POST", "https://c.eu-west-1.aoss.amazonaws.com/_bulk", {},
	                                          body, SuiteCredentials(), aoss, "UNSIGNED-PAYLOAD");
	EXPECT_EQ(HeaderOf(unsigned_payload, "x-amz-content-sha256"), "UNSIGNED-PAYLOAD");
	EXPECT_NE(HeaderOf(unsigned_payload, "Authorization"), HeaderOf(from_body, "Authorization"));
	EXPECT_NE(HeaderOf(from_body, "Authorization").find("Credential=AKIDEXAMPLE/20150830/eu-west-1/aoss/"),
	          std::string::npos);
	EXPECT_EQ(http::Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(SigV4, RefusesWhatItCannotSignWithoutQuotingSecrets) {
	auto error = [](const std::string &url, const http::HeaderList &headers,
	                const http::AwsCredentials &creds, const http::SigV4Scope &scope = SuiteScope()) {
		std::string e = Sign("GET", url, headers, "", creds, scope).error;
		EXPECT_EQ(e.find(kSuiteSecret), std::string::npos) << e;
		return e;
	};
	EXPECT_NE(error("ftp://h/", {}, SuiteCredentials()).find("http:// or https://"), std::string::npos);
	EXPECT_NE(error("https:///x", {}, SuiteCredentials()).find("no host"), std::string::npos);
	EXPECT_NE(
	    error("https://h/", {{"Authorization", "Basic eDp5"}}, SuiteCredentials()).find("Authorization"),
	    std::string::npos);
	EXPECT_NE(
	    error("https://h/", {{"x-amz-date", "20150830T123600Z"}}, SuiteCredentials()).find("x-amz-date"),
	    std::string::npos);
	EXPECT_NE(error("https://h/", {}, {"AKID/EXAMPLE", kSuiteSecret, ""}).find("access key id"),
	          std::string::npos);
	EXPECT_NE(error("https://h/", {}, {kSuiteKeyId, "", ""}).find("secret access key"), std::string::npos);
	http::SigV4Scope no_region = SuiteScope();
	no_region.region = "US East";
	EXPECT_NE(error("https://h/", {}, SuiteCredentials(), no_region).find("region"), std::string::npos);
}

TEST(SigV4, RegionAndCredentialShapes) {
	for (const char *region : {"us-east-1", "us-gov-west-1", "cn-north-1", "ap-southeast-4", "eu-central-2"})
		EXPECT_TRUE(http::IsAwsRegionName(region)) << region;
	for (const char *region : {"", "us-east", "US-EAST-1", "us--1", "1us-east-1", "us-east-1a", "us-east-1-",
	                           "us_east_1", "local"})
		EXPECT_FALSE(http::IsAwsRegionName(region)) << region;
	EXPECT_TRUE(http::IsAwsAccessKeyId("AKIAIOSFODNN7EXAMPLE"));
	EXPECT_FALSE(http::IsAwsAccessKeyId("akia"));
	EXPECT_FALSE(http::IsAwsAccessKeyId("AKIA/X"));
	EXPECT_TRUE(http::IsAwsSecretText(kSuiteSecret));
	EXPECT_FALSE(http::IsAwsSecretText("with space"));
}

TEST(SigV4, CredentialsFromTheStandardEnvironmentVariables) {
	const char *names[] = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"};
	std::optional<std::string> saved[3];
	for (int i = 0; i < 3; i++) {
		if (const char *v = std::getenv(names[i]))
			saved[i] = v;
		unsetenv(names[i]);
	}
	http::AwsCredentials credentials;
	std::string problem;
	EXPECT_FALSE(http::AwsCredentialsFromEnvironment(&credentials, &problem));
	EXPECT_NE(problem.find("neither AWS_ACCESS_KEY_ID nor AWS_SECRET_ACCESS_KEY"), std::string::npos)
	    << problem;
	setenv("AWS_ACCESS_KEY_ID", kSuiteKeyId, 1);
	EXPECT_FALSE(http::AwsCredentialsFromEnvironment(&credentials, &problem));
	EXPECT_EQ(problem, "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
	setenv("AWS_SECRET_ACCESS_KEY", kSuiteSecret, 1);
	setenv("AWS_SESSION_TOKEN", "token-1", 1);
	EXPECT_TRUE(http::AwsCredentialsFromEnvironment(&credentials, &problem)) << problem;
	EXPECT_EQ(credentials.access_key_id, kSuiteKeyId);
	EXPECT_EQ(credentials.secret_access_key, kSuiteSecret);
	EXPECT_EQ(credentials.session_token, "token-1");
	setenv("AWS_ACCESS_KEY_ID", "not a key", 1);
	EXPECT_FALSE(http::AwsCredentialsFromEnvironment(&credentials, &problem));
	EXPECT_EQ(problem.find("not a key"), std::string::npos) << "values are never quoted: " << problem;
	for (int i = 0; i < 3; i++) {
		if (saved[i])
			setenv(names[i], saved[i]->c_str(), 1);
		else
			unsetenv(names[i]);
	}
}

// The client calls the signer after gzip: the signature covers the compressed bytes on the
// wire and their Content-Encoding, and the headers it names are the ones that arrive.
TEST(SigV4, ClientSignsTheCompressedBodyItSends) {
	HttpTestServer server;
	http::ClientOptions options;
	options.proxy_mode = http::ProxyMode::kNone;
	options.gzip_requests = true;
	options.headers = {{"X-Opaque-Id", "pgwatch"}};
	http::HttpClient client(options);
	http::AwsCredentials credentials = SuiteCredentials("session-token-1");
	http::SigV4Scope scope;
	scope.region = "us-east-1";
	scope.service = "es";
	client.SetSigner(http::SigV4RequestSigner(credentials, scope, [] { return kSuiteTime; }));
	std::string body(5000, 'x');
	http::Request request;
	request.url = server.Url("/_bulk?filter_path=errors,items.*.status");
	request.headers = {{"Content-Type", "application/x-ndjson"}};
	request.body = body;
	http::Response response = client.Send(request);
	ASSERT_EQ(response.transport, http::TransportError::kNone) << response.error;
	ASSERT_EQ(server.Requests().size(), 1u);
	const auto captured = server.Requests()[0];
	EXPECT_EQ(captured.Header("Content-Encoding"), "gzip");
	EXPECT_EQ(captured.Header("x-amz-content-sha256"), http::Sha256Hex(captured.body))
	    << "the hash of the bytes received";
	EXPECT_NE(captured.Header("x-amz-content-sha256"), http::Sha256Hex(body));
	EXPECT_EQ(captured.Header("X-Amz-Security-Token"), "session-token-1");
	EXPECT_EQ(captured.Header("Host"), "127.0.0.1:" + std::to_string(server.port()));
	std::string authorization = captured.Header("Authorization");
	EXPECT_NE(authorization.find("SignedHeaders=content-encoding;content-type;host;x-amz-content-sha256;"
	                             "x-amz-date;x-amz-security-token;x-opaque-id,"),
	          std::string::npos)
	    << authorization;

	// What arrived, signed again from the captured bytes, gives the same signature.
	http::HeaderList arrived = {{"Content-Encoding", captured.Header("Content-Encoding")},
	                            {"Content-Type", captured.Header("Content-Type")},
	                            {"Host", captured.Header("Host")},
	                            {"X-Opaque-Id", captured.Header("X-Opaque-Id")}};
	std::string url = server.Url(captured.target);
	http::SigV4Input input;
	input.method = "POST";
	input.url = url;
	input.headers = &arrived;
	input.body = captured.body;
	input.unix_seconds = kSuiteTime;
	http::SigV4Result again = http::SignSigV4(input, credentials, scope);
	EXPECT_EQ(again.error, "");
	EXPECT_EQ(HeaderOf(again, "Authorization"), authorization);

	if (std::string missing = pgwatch_rpc::http_test::SigV4OracleMissing(); !missing.empty())
		GTEST_SKIP() << missing;
	json oracle = pgwatch_rpc::http_test::RunSigV4Oracle(json::array(
	    {pgwatch_rpc::http_test::OracleRequestFor("POST", server.Url(captured.target), captured.headers,
	                                              captured.body, credentials, scope, kSuiteTime)}));
	EXPECT_EQ(oracle[0]["authorization"], authorization) << "AWS's signer over the captured request";
}

TEST(SigV4, ClientSendsNothingItCannotSign) {
	HttpTestServer server;
	http::ClientOptions options;
	options.proxy_mode = http::ProxyMode::kNone;
	options.headers = {{"X-Amz-Date", "20150830T123600Z"}};
	http::HttpClient client(options);
	client.SetSigner(http::SigV4RequestSigner(SuiteCredentials(), SuiteScope()));
	http::Request request;
	request.url = server.Url("/_bulk");
	request.body = "x";
	http::Response response = client.Send(request);
	EXPECT_EQ(response.transport, http::TransportError::kInvalidRequest);
	EXPECT_NE(response.error.find("cannot sign the request to http://127.0.0.1:"), std::string::npos)
	    << response.error;
	EXPECT_NE(response.error.find("X-Amz-Date"), std::string::npos) << response.error;
	EXPECT_TRUE(server.Requests().empty());
}

// Varied requests signed by us and by AWS's own signer (@smithy/signature-v4): the
// Authorization headers must be equal byte for byte.
TEST(SigV4Oracle, AuthorizationEqualsAwsSignerOnVariedRequests) {
	if (std::string missing = pgwatch_rpc::http_test::SigV4OracleMissing(); !missing.empty())
		GTEST_SKIP() << missing;
	struct Case {
		std::string name;
		std::string method;
		std::string url;
		http::HeaderList headers;
		std::optional<std::string> body; // nullopt: no body (GET)
		std::string session_token;
		std::string service = "es";
		std::string payload_hash;
		bool s3_path = false;
	};
	std::string ndjson = "{\"create\":{\"_index\":\"pgwatch-wal-2026.11.23\",\"_id\":\"ab\"}}\n{\"v\":1}\n";
	std::string gzipped;
	http::GzipCompress(ndjson, &gzipped);
	std::vector<Case> cases = {
	    {"es bulk with pipeline",
	     "POST",
	     "https://search-d.us-east-1.es.amazonaws.com/_bulk?filter_path=errors,items.*.status,items.*.error"
	     "&pipeline=pgwatch@custom",
	     {{"Content-Type", "application/x-ndjson"}, {"Accept", "application/json"}},
	     ndjson},
	    {"query with special characters",
	     "GET",
	     "https://h.example/path?b=%20x&a=1&a=0&empty&plus=a+b&utf=%E2%82%AC&tilde=~&star=*&sl=a/b&Upper=Z",
	     {},
	     std::nullopt},
	    {"path needing encoding",
	     "GET",
	     "https://h.example/my%20index/caf%C3%A9/./x/../_doc/a%2Fb:c",
	     {},
	     std::nullopt},
	    {"s3 path signed as sent",
	     "PUT",
	     "https://bucket.s3.us-east-1.amazonaws.com/dir/key%20with%20space.ndjson",
	     {{"Content-Type", "application/x-ndjson"}},
	     ndjson,
	     "",
	     "s3",
	     "",
	     true},
	    {"session token",
	     "GET",
	     "https://h.example/_cluster/health",
	     {},
	     std::nullopt,
	     "FwoGZXIvYXdzEXAMPLE//token="},
	    {"empty body", "POST", "https://h.example/_refresh", {}, std::string()},
	    {"gzip body",
	     "POST",
	     "http://127.0.0.1:9200/_bulk",
	     {{"Content-Type", "application/x-ndjson"}, {"Content-Encoding", "gzip"}},
	     gzipped},
	    {"aoss with the payload hash given",
	     "POST",
	     "https://abc.us-east-1.aoss.amazonaws.com/_bulk",
	     {{"Content-Type", "application/x-ndjson"}},
	     ndjson,
	     "token-2",
	     "aoss",
	     http::Sha256Hex(ndjson)},
	    {"unsigned payload",
	     "POST",
	     "https://abc.us-east-1.aoss.amazonaws.com/_bulk",
	     {},
	     ndjson,
	     "",
	     "aoss",
	     "UNSIGNED-PAYLOAD"},
	    {"headers to trim and repeated names",
	     "POST",
	     "https://h.example/",
	     {{"X-Meta", "  a   \t b "}, {"x-list", "1"}, {"X-List", "2"}, {"User-Agent", "pgwatch-rpc"}},
	     ndjson},
	};
	json inputs = json::array();
	std::vector<std::string> ours;
	for (const Case &c : cases) {
		http::SigV4Scope scope;
		scope.region = "us-east-1";
		scope.service = c.service;
		scope.s3_path = c.s3_path;
		http::AwsCredentials credentials{"AKIAIOSFODNN7EXAMPLE", kSuiteSecret, c.session_token};
		http::SigV4Result result =
		    Sign(c.method, c.url, c.headers, c.body.value_or(""), credentials, scope, c.payload_hash);
		ASSERT_EQ(result.error, "") << c.name;
		ours.push_back(HeaderOf(result, "Authorization"));
		json headers = json::array();
		for (const auto &h : c.headers)
			headers.push_back({h.first, h.second});
		if (!c.payload_hash.empty())
			headers.push_back({"x-amz-content-sha256", c.payload_hash}); // the oracle signs what it is given
		json input = {{"method", c.method},
		              {"url", c.url},
		              {"headers", headers},
		              {"access_key_id", credentials.access_key_id},
		              {"secret_access_key", credentials.secret_access_key},
		              {"session_token", c.session_token},
		              {"region", "us-east-1"},
		              {"service", c.service},
		              {"time", kSuiteTime},
		              {"uri_escape_path", !c.s3_path},
		              {"content_sha256_header", true}};
		if (c.body)
			input["body_base64"] = http::Base64(*c.body);
		inputs.push_back(input);
	}
	json theirs = pgwatch_rpc::http_test::RunSigV4Oracle(inputs);
	ASSERT_EQ(theirs.size(), cases.size());
	for (size_t i = 0; i < cases.size(); i++)
		EXPECT_EQ(ours[i], theirs[i]["authorization"]) << cases[i].name;
}
