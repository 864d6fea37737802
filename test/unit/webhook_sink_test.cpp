// The webhook sink (sinks/webhook) against the loopback test server: its config keys, the
// request it sends (body, headers, Idempotency-Key), and what each answer leads to: retries
// with Retry-After and the same key, a 400 split down to the refused record, a 401 that is
// retried rather than dead-lettered, and credentials echoed by a target kept out of errors.
// Its shared behaviour is in conformance_test.cpp.
#include "envelope_line_oracle.hpp"
#include "http_test_server.hpp"

#include "core/delivery/sink_context.hpp"
#include "core/json/document.hpp"
#include "sender/sample_records.hpp"
#include "sinks/webhook/webhook_kind.hpp"
#include "sinks/webhook/webhook_sink.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <ctime>
#include <fstream>

namespace pgwatch_rpc::sinks {
namespace {

using http_test::HttpTestServer;
using http_test::ScriptedReply;
using nlohmann::json;

std::vector<sink::ConfigProblem> Validate(const json &config, const json &secrets = json::object()) {
	return WebhookKind().Validate(config, secrets);
}

std::string ProblemFor(const std::vector<sink::ConfigProblem> &problems, const std::string &key) {
	for (const sink::ConfigProblem &p : problems)
		if (p.key == key)
			return p.reason;
	return "";
}

std::unique_ptr<sink::Sink> Webhook(json config, json secrets = json::object()) {
	config["proxy"] = ""; // whatever the environment says
	delivery::SinkContext context;
	context.sink_name = "hook";
	context.config = std::move(config);
	context.secrets = std::move(secrets);
	return CreateWebhookSink(context);
}

sink::Batch Samples(int count, int64_t first_seq = 1) {
	sender::SampleOptions options;
	options.envelopes = count;
	options.first_seq = first_seq;
	options.epoch_ns = 1.8e18;
	sink::Batch batch;
	batch.records = sender::SampleRecords(options);
	return batch;
}

// Documents: the batch's records' documents (the shared serializer's, with row_id), parsed.
std::vector<json> Documents(const std::vector<sink::Record> &records) {
	pgwatch_rpc::json::DocumentSerializer serializer(pgwatch_rpc::json::DocumentOptions{"\n", "row_id"});
	std::vector<json> documents;
	for (const sink::Record &record : records) {
		std::string lines;
		serializer.AppendRecord(record, &lines);
		for (size_t start = 0; start < lines.size(); start = lines.find('\n', start) + 1)
			documents.push_back(json::parse(lines.substr(start, lines.find('\n', start) - start)));
	}
	return documents;
}

std::vector<json> NdjsonDocuments(const std::string &body) {
	std::vector<json> documents;
	for (size_t start = 0; start < body.size(); start = body.find('\n', start) + 1)
		documents.push_back(json::parse(body.substr(start, body.find('\n', start) - start)));
	return documents;
}

TEST(WebhookKind, AcceptsEveryKey) {
	EXPECT_EQ(Validate({{"url", "https://hooks.example.com/pgwatch"},
	                    {"method", "PUT"},
	                    {"format", "ndjson"},
	                    {"username", "pgwatch"},
	                    {"timeout_ms", 5000},
	                    {"headers", {{"X-Team", "dba"}}},
	                    {"compression", "gzip"},
	                    {"max_batch_rows", 500}},
	                   {{"password", "pw"}, {"headers", {{"X-Api-Key", "k"}}}})
	              .size(),
	          0u);
	EXPECT_EQ(
	    Validate(json::object(), {{"url", "https://chat.example/hooks/T0/B0/XYZ"}, {"bearer_token", "t"}})
	        .size(),
	    0u);
}

TEST(WebhookKind, EveryBadKeyIsNamedWithTheFix) {
	EXPECT_NE(ProblemFor(Validate(json::object()), "url").find("required"), std::string::npos);
	EXPECT_NE(ProblemFor(Validate({{"url", "hooks.example.com"}}), "url").find("http://"), std::string::npos);
	EXPECT_NE(
	    ProblemFor(Validate({{"url", "https://u:pw@hooks.example.com/"}}), "url").find("secrets.password"),
	    std::string::npos);
	EXPECT_NE(ProblemFor(Validate({{"url", "https://a/"}}, {{"url", "https://b/"}}), "url").find("twice"),
	          std::string::npos);
	std::vector<sink::ConfigProblem> problems = Validate({{"url", "https://h/"},
	                                                      {"method", "GET"},
	                                                      {"format", "xml"},
	                                                      {"timeout", 5},
	                                                      {"username", "a:b"},
	                                                      {"hmac", true}},
	                                                     {{"token", "x"}});
	EXPECT_NE(ProblemFor(problems, "method").find("\"POST\" or \"PUT\""), std::string::npos);
	EXPECT_NE(ProblemFor(problems, "format").find("\"ndjson\""), std::string::npos);
	EXPECT_NE(ProblemFor(problems, "format").find("\"pgwatch-envelope\""), std::string::npos);
	EXPECT_NE(ProblemFor(problems, "timeout").find("timeout_ms"), std::string::npos);
	EXPECT_NE(ProblemFor(problems, "username").find("':'"), std::string::npos);
	EXPECT_NE(ProblemFor(problems, "hmac").find("unknown key"), std::string::npos);
	EXPECT_NE(ProblemFor(problems, "secrets.token").find("bearer_token"), std::string::npos);

	EXPECT_NE(ProblemFor(Validate({{"url", "https://h/"}, {"username", "u"}}), "secrets.password"), "");
	EXPECT_NE(ProblemFor(Validate({{"url", "https://h/"}}, {{"password", "p"}}), "username"), "");
	EXPECT_NE(ProblemFor(Validate({{"url", "https://h/"}, {"username", "u"}},
	                              {{"password", "p"}, {"bearer_token", "t"}}),
	                     "secrets.bearer_token"),
	          "");
	EXPECT_NE(ProblemFor(Validate({{"url", "https://h/"}},
	                              {{"bearer_token", "t"}, {"headers", {{"Authorization", "Basic x"}}}}),
	                     "secrets.headers.Authorization"),
	          "");
	EXPECT_NE(ProblemFor(Validate({{"url", "https://h/"}, {"headers", {{"Authorization", "Bearer t"}}}}),
	                     "headers.Authorization")
	              .find("secrets.headers"),
	          std::string::npos);
	std::string secret_url =
	    ProblemFor(Validate(json::object(), {{"url", "ftp://token-in-path"}}), "secrets.url");
	EXPECT_NE(secret_url, "");
	EXPECT_EQ(secret_url.find("token-in-path"), std::string::npos) << "a secret URL is not echoed";
}

TEST(WebhookSink, PostsAJsonArrayOfTheDocumentsWithItsHeaders) {
	HttpTestServer server;
	std::unique_ptr<sink::Sink> sink =
	    Webhook({{"url", server.Url("/ingest")}, {"username", "pgwatch"}}, {{"password", "pw"}});
	sink::Batch batch = Samples(5, 41);
	sink::Outcome outcome = sink->Deliver(batch);
	ASSERT_EQ(outcome.status, sink::Outcome::Status::kDelivered) << outcome.error;
	ASSERT_EQ(server.Requests().size(), 1u);
	const http_test::CapturedRequest request = server.Requests()[0];
	EXPECT_EQ(request.method, "POST");
	EXPECT_EQ(request.target, "/ingest");
	EXPECT_EQ(request.Header("Content-Type"), "application/json");
	EXPECT_EQ(request.Header("Authorization"), "Basic cGd3YXRjaDpwdw==");
	EXPECT_EQ(request.Header("Idempotency-Key").rfind("1.41-1.45-", 0), 0u)
	    << request.Header("Idempotency-Key");
	EXPECT_EQ(request.Header("Idempotency-Key").size(), std::string("1.41-1.45-").size() + 16);
	json body = json::parse(request.body);
	ASSERT_TRUE(body.is_array());
	EXPECT_EQ(std::vector<json>(body.begin(), body.end()), Documents(batch.records));
}

TEST(WebhookSink, NdjsonPutWithABearerTokenAndGzip) {
	HttpTestServer server;
	std::unique_ptr<sink::Sink> sink =
	    Webhook({{"url", server.Url("/x")}, {"method", "PUT"}, {"format", "ndjson"}, {"compression", "gzip"}},
	            {{"bearer_token", "tok"}});
	sink::Batch batch = Samples(3);
	ASSERT_EQ(sink->Deliver(batch).status, sink::Outcome::Status::kDelivered);
	const http_test::CapturedRequest request = server.Requests().at(0);
	EXPECT_EQ(request.method, "PUT");
	EXPECT_EQ(request.Header("Content-Type"), "application/x-ndjson");
	EXPECT_EQ(request.Header("Content-Encoding"), "gzip");
	EXPECT_EQ(request.Header("Authorization"), "Bearer tok");
	EXPECT_EQ(NdjsonDocuments(http_test::Gunzip(request.body)), Documents(batch.records));
}

TEST(WebhookSink, PgwatchEnvelopePostsNdjsonOfPgwatchsJsonfileLines) {
	HttpTestServer server;
	EXPECT_EQ(Validate({{"url", "https://h/"}, {"format", "pgwatch-envelope"}}).size(), 0u);
	std::unique_ptr<sink::Sink> sink = Webhook({{"url", server.Url("/")}, {"format", "pgwatch-envelope"}});
	sink::Batch batch = Samples(4, 41);
	batch.records[2].payload = "\xff\xff";
	sink::Outcome outcome = sink->Deliver(batch);
	ASSERT_EQ(outcome.status, sink::Outcome::Status::kDelivered) << outcome.error;
	ASSERT_EQ(outcome.rejected.size(), 1u);
	EXPECT_EQ(outcome.rejected[0].record_index, 2u);
	const http_test::CapturedRequest request = server.Requests().at(0);
	EXPECT_EQ(request.Header("Content-Type"), "application/x-ndjson");
	std::vector<json> lines = sink_test::ParsedLines(request.body);
	ASSERT_EQ(lines.size(), 3u);
	size_t line = 0;
	for (size_t i : {0u, 1u, 3u}) {
		ASSERT_EQ(lines[line].size(), 4u);
		EXPECT_EQ(lines[line++], sink_test::ExpectedEnvelopeLine(batch.records[i])) << i;
	}
}

// OpensslHmac: the hex HMAC-SHA256 of message under key, computed by the openssl command (an
// implementation the sink does not share).
std::string OpensslHmac(const std::string &key, const std::string &message) {
	std::string path = "/tmp/webhook_hmac_" + std::to_string(getpid());
	std::ofstream(path, std::ios::binary) << message;
	std::string command = "openssl dgst -sha256 -hmac '" + key + "' < " + path;
	FILE *pipe = popen(command.c_str(), "r");
	std::string output;
	char buf[256];
	while (pipe != nullptr && std::fgets(buf, sizeof buf, pipe) != nullptr)
		output += buf;
	if (pipe != nullptr)
		pclose(pipe);
	std::remove(path.c_str());
	size_t at = output.rfind("= ");
	return at == std::string::npos ? "openssl failed: " + output : output.substr(at + 2, 64);
}

TEST(WebhookSink, SignsEachRequestWithTheHmacSecret) {
	HttpTestServer server;
	const std::string secret = "a-webhook-signing-secret";
	std::unique_ptr<sink::Sink> sink = Webhook({{"url", server.Url("/")}}, {{"hmac_secret", secret}});
	sink::Batch batch = Samples(3, 7);
	int64_t before = std::time(nullptr);
	ASSERT_EQ(sink->Deliver(batch).status, sink::Outcome::Status::kDelivered);
	const http_test::CapturedRequest request = server.Requests().at(0);
	std::string timestamp = request.Header("X-Pgwatch-Timestamp");
	ASSERT_FALSE(timestamp.empty());
	EXPECT_GE(std::stoll(timestamp), before);
	EXPECT_LE(std::stoll(timestamp), std::time(nullptr));
	EXPECT_EQ(request.Header("X-Pgwatch-Signature"),
	          "sha256=" + OpensslHmac(secret, timestamp + "." + request.body));
	EXPECT_EQ(request.Header("X-Pgwatch-Batch"), request.Header("Idempotency-Key"));

	std::vector<sink::ConfigProblem> problems = Validate({{"url", "https://h/"}}, {{"hmac_secret", "short"}});
	EXPECT_NE(ProblemFor(problems, "secrets.hmac_secret").find("at least 16"), std::string::npos);
	EXPECT_EQ(ProblemFor(problems, "secrets.hmac_secret").find("short"), std::string::npos)
	    << "a secret is not echoed";
}

TEST(WebhookSink, RetriesHonourRetryAfterAndRepeatTheSameRequest) {
	HttpTestServer server;
	server.Script({503, {{"Retry-After", "3"}}, "busy"});
	server.Script({429, {}, "slow down"});
	std::unique_ptr<sink::Sink> sink = Webhook({{"url", server.Url("/")}});
	sink::Batch batch = Samples(4);
	sink::Outcome first = sink->Deliver(batch);
	EXPECT_EQ(first.status, sink::Outcome::Status::kRetry);
	EXPECT_EQ(first.retry_after_ms, 3000);
	EXPECT_NE(first.error.find("HTTP 503"), std::string::npos) << first.error;
	EXPECT_EQ(sink->Deliver(batch).status, sink::Outcome::Status::kRetry);
	EXPECT_EQ(sink->Deliver(batch).status, sink::Outcome::Status::kDelivered);
	std::vector<http_test::CapturedRequest> requests = server.Requests();
	ASSERT_EQ(requests.size(), 3u);
	for (const http_test::CapturedRequest &r : requests) {
		EXPECT_EQ(r.body, requests[0].body);
		EXPECT_EQ(r.Header("Idempotency-Key"), requests[0].Header("Idempotency-Key"));
	}
}

TEST(WebhookSink, ARefusedBodyIsSplitUntilTheRefusedRecordIsFound) {
	HttpTestServer server;
	// [0 1 2 3] refused; [0 1] taken; [2 3] refused; [2] taken; [3] refused: record 3 is bad.
	server.Script({400, {}, "{\"error\":\"field type conflict\"}"});
	server.Script({200, {}, "ok"});
	server.Script({422, {}, "{\"error\":\"field type conflict\"}"});
	server.Script({200, {}, "ok"});
	server.Script({400, {}, "{\"error\":\"field type conflict\"}"});
	std::unique_ptr<sink::Sink> sink = Webhook({{"url", server.Url("/")}, {"format", "ndjson"}});
	sink::Batch batch = Samples(4);
	sink::Outcome outcome = sink->Deliver(batch);
	ASSERT_EQ(outcome.status, sink::Outcome::Status::kDelivered) << outcome.error;
	ASSERT_EQ(outcome.rejected.size(), 1u);
	EXPECT_EQ(outcome.rejected[0].record_index, 3u);
	EXPECT_NE(outcome.rejected[0].reason.find("HTTP 400"), std::string::npos);
	EXPECT_NE(outcome.rejected[0].reason.find("field type conflict"), std::string::npos);
	std::vector<http_test::CapturedRequest> requests = server.Requests();
	ASSERT_EQ(requests.size(), 5u);
	EXPECT_EQ(NdjsonDocuments(requests[1].body), Documents({batch.records[0], batch.records[1]}));
	EXPECT_EQ(NdjsonDocuments(requests[3].body), Documents({batch.records[2]}));
	EXPECT_NE(requests[1].Header("Idempotency-Key"), requests[3].Header("Idempotency-Key"));
}

TEST(WebhookSink, AnAuthenticationFailureIsRetriedNotDeadLettered) {
	HttpTestServer server;
	server.Script({401, {}, "bad credentials"});
	std::unique_ptr<sink::Sink> sink = Webhook({{"url", server.Url("/")}}, {{"bearer_token", "wrong"}});
	sink::Outcome outcome = sink->Deliver(Samples(2));
	EXPECT_EQ(outcome.status, sink::Outcome::Status::kRetry);
	EXPECT_NE(outcome.error.find("HTTP 401"), std::string::npos);
	EXPECT_NE(outcome.error.find("credentials"), std::string::npos) << outcome.error;
	EXPECT_EQ(server.Requests().size(), 1u) << "no split: no record is to blame";
}

TEST(WebhookSink, CredentialsATargetEchoesNeverReachTheError) {
	HttpTestServer server;
	server.Script(
	    {500, {}, "internal error; request had Authorization: Bearer s3cret-token, X-Api-Key: k3y"});
	server.Script({404, {}, "no such hook"});
	std::unique_ptr<sink::Sink> sink =
	    Webhook(json::object(), {{"url", server.Url("/hooks/T0/B0/s3cret-path")},
	                             {"bearer_token", "s3cret-token"},
	                             {"headers", {{"X-Api-Key", "k3y"}}}});
	for (int i = 0; i < 2; i++) {
		sink::Outcome outcome = sink->Deliver(Samples(1));
		ASSERT_EQ(outcome.status, sink::Outcome::Status::kRetry);
		for (const char *secret : {"s3cret-token", "k3y", "s3cret-path"})
			EXPECT_EQ(outcome.error.find(secret), std::string::npos) << outcome.error;
		EXPECT_NE(outcome.error.find("[redacted]"), std::string::npos) << outcome.error;
	}
}

TEST(WebhookSink, UndecodableRecordsAloneSendNothing) {
	HttpTestServer server;
	std::unique_ptr<sink::Sink> sink = Webhook({{"url", server.Url("/")}});
	sink::Batch batch = Samples(1);
	batch.records[0].payload = "\xff";
	sink::Outcome outcome = sink->Deliver(batch);
	EXPECT_EQ(outcome.status, sink::Outcome::Status::kDelivered);
	EXPECT_EQ(outcome.rejected.size(), 1u);
	EXPECT_EQ(server.Requests().size(), 0u);
}

} // namespace
} // namespace pgwatch_rpc::sinks
