// The elastic sink (sinks/elastic) driven through Deliver with spool-shaped records against
// test/fakes/fake_elasticsearch.py, a fake written from SINKS.md §2 (no Elasticsearch is
// packaged for Debian): SINKS.md §2.8's acceptance checks 1–5, whole-request failures,
// failover, the index names, and the config validator's messages. Check 6 (the official
// client's bulk body) is in ElasticOfficialClient below, skipped without node_modules.
// aws_sigv4 (Amazon OpenSearch Service and Serverless) against the fake's SigV4 check, with the
// signature also recomputed by AWS's own signer (sigv4_oracle.hpp).
#include "core/delivery/sink_context.hpp"
#include "core/sink/registry.hpp"
#include "fake_server_process.hpp"
#include "sigv4_oracle.hpp"
#include "sink_test_records.hpp"
#include "sinks/elastic/elastic_kind.hpp"
#include "sinks/elastic/elastic_sink.hpp"
#include "sinks/elastic/index_name.hpp"

#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <optional>
#include <regex>
#include <stdexcept>
#include <sys/stat.h>

namespace sink = pgwatch_rpc::sink;
namespace sinks = pgwatch_rpc::sinks;
using namespace pgwatch_rpc::sink_test;
using nlohmann::json;
using pgwatch_rpc::http_test::FakeServerProcess;

namespace {

std::unique_ptr<sink::Sink> ElasticSinkFor(const json &config, const json &secrets = json::object()) {
	pgwatch_rpc::delivery::SinkContext context;
	context.sink_name = "es";
	context.config = config;
	context.secrets = secrets;
	return sinks::CreateElasticSink(context);
}

json ConfigFor(const FakeServerProcess &fake, json extra = json::object()) {
	json config = {{"hosts", {fake.Url()}}, {"proxy", ""}, {"timeout_ms", 10000}};
	config.update(extra);
	return config;
}

// Lines: the body split at "\n"; the last element is what follows the last "\n".
std::vector<std::string> Lines(const std::string &body) {
	std::vector<std::string> lines;
	size_t start = 0;
	for (size_t end; (end = body.find('\n', start)) != std::string::npos; start = end + 1)
		lines.push_back(body.substr(start, end - start));
	lines.push_back(body.substr(start));
	return lines;
}

std::vector<json> Requests(FakeServerProcess &fake) {
	std::vector<json> requests;
	json answer = fake.Get("/_fake/requests");
	for (const json &r : answer["requests"])
		requests.push_back(r);
	return requests;
}

// Ids: the _id of every action line of a bulk body.
std::vector<std::string> Ids(const std::string &body) {
	std::vector<std::string> ids;
	std::vector<std::string> lines = Lines(body);
	for (size_t i = 0; i + 1 < lines.size(); i += 2)
		ids.push_back(json::parse(lines[i])["create"]["_id"]);
	return ids;
}

sink::Batch ThreeEnvelopes() {
	return BatchOf({Envelope("db1", "wal", {}, {Row(1)}), Envelope("db1", "wal", {}, {Row(2, 1)}),
	                Envelope("db1", "wal", {}, {Row(3, 2)})});
}

std::string ProblemFor(const std::vector<sink::ConfigProblem> &problems, const std::string &key) {
	for (const sink::ConfigProblem &p : problems)
		if (p.key == key)
			return p.reason;
	return "";
}

std::vector<sink::ConfigProblem> Validate(const char *config, const char *secrets = "{}") {
	return sink::ValidateSinkConfig("elastic", config, secrets);
}

} // namespace

// §2.8 check 1, and §2.5's document for SINKS.md §0.3's canonical row.
TEST(ElasticSink, ThreeRowsAreSixCreateLinesWithStableIds) {
	std::vector<std::string> first_ids;
	for (int run = 0; run < 2; run++) {
		FakeServerProcess fake("fake_elasticsearch.py", {});
		auto es = ElasticSinkFor(ConfigFor(fake));
		MeasurementEnvelope env = Canonical();
		env.add_data()->CopyFrom(env.data(0));
		env.add_data()->CopyFrom(env.data(0));
		sink::Outcome outcome = es->Deliver(BatchOf({env}));
		ASSERT_EQ(outcome.status, sink::Outcome::Status::kDelivered) << outcome.error;
		EXPECT_TRUE(outcome.rejected.empty());

		std::vector<json> requests = Requests(fake);
		ASSERT_EQ(requests.size(), 1u);
		EXPECT_EQ(requests[0]["path"], "/_bulk");
		EXPECT_EQ(requests[0]["headers"]["Content-Type"], "application/x-ndjson");
		EXPECT_EQ(requests[0]["headers"]["Content-Encoding"], "gzip") << "gzip is the default";
		std::string body = requests[0]["body"];
		std::vector<std::string> lines = Lines(body);
		ASSERT_EQ(lines.size(), 7u) << body;
		EXPECT_EQ(lines[6], "") << "the body ends with \\n";
		std::vector<std::string> ids;
		for (size_t i = 0; i < 6; i += 2) {
			json action = json::parse(lines[i]);
			ASSERT_TRUE(action.contains("create")) << lines[i];
			EXPECT_EQ(action["create"]["_index"], "pgwatch-wal-2026.11.23");
			std::string id = action["create"]["_id"];
			EXPECT_TRUE(std::regex_match(id, std::regex("[0-9a-f]{64}"))) << id;
			ids.push_back(id);
			EXPECT_EQ(
			    json::parse(lines[i + 1]),
			    json::parse(R"({"@timestamp":"2026-11-23T19:42:20.000000000Z","dbname":"db1","metric":"wal",
			                          "tags":{"env":"prod","sys_id":"7"},
			                          "data":{"xlog_location_b":100,"in_recovery_int":0}})"));
		}
		EXPECT_NE(ids[0], ids[1]);
		EXPECT_NE(ids[1], ids[2]);
		if (run == 0)
			first_ids = ids;
		else
			EXPECT_EQ(ids, first_ids) << "the same spool rows get the same ids in another run";
		EXPECT_EQ(fake.Get("/_fake/docs")["count"], 3);
	}
}

// §2.8 check 2: items [201, 429, 400].
TEST(ElasticSink, RetriesOnlyTheRefusedForNowItemAndDeadLettersThePermanentOne) {
	FakeServerProcess fake("fake_elasticsearch.py", {});
	auto es = ElasticSinkFor(ConfigFor(fake));
	sink::Batch batch = ThreeEnvelopes();
	fake.Post("/_fake/inject", {{"items", {{"1", 429}, {"2", 400}}}});

	sink::Outcome first = es->Deliver(batch);
	EXPECT_EQ(first.status, sink::Outcome::Status::kRetry)
	    << "nothing is acknowledged while item 2 is pending";
	EXPECT_NE(first.error.find("es_rejected_execution_exception"), std::string::npos) << first.error;
	std::vector<std::string> sent = Ids(Requests(fake)[0]["body"]);
	ASSERT_EQ(sent.size(), 3u);

	sink::Outcome second = es->Deliver(batch);
	ASSERT_EQ(second.status, sink::Outcome::Status::kDelivered) << second.error;
	std::vector<json> requests = Requests(fake);
	ASSERT_EQ(requests.size(), 2u);
	EXPECT_EQ(Ids(requests[1]["body"]), std::vector<std::string>{sent[1]}) << "item 2 is resent alone";
	ASSERT_EQ(second.rejected.size(), 1u);
	EXPECT_EQ(second.rejected[0].record_index, 2u) << "item 3's envelope goes to the dead letters";
	EXPECT_NE(second.rejected[0].reason.find("HTTP 400 mapper_parsing_exception"), std::string::npos)
	    << second.rejected[0].reason;
	EXPECT_NE(second.rejected[0].reason.find(sent[2]), std::string::npos) << "the reason names the _id";
	EXPECT_EQ(fake.Get("/_fake/docs")["count"], 2);
}

// §2.8 check 3: a replay (another sink instance, as after a restart) is all 409.
TEST(ElasticSink, ReplayOfADeliveredBatchIsAllConflictsAndSucceeds) {
	FakeServerProcess fake("fake_elasticsearch.py", {});
	sink::Batch batch = ThreeEnvelopes();
	ASSERT_EQ(ElasticSinkFor(ConfigFor(fake))->Deliver(batch).status, sink::Outcome::Status::kDelivered);
	sink::Outcome replay = ElasticSinkFor(ConfigFor(fake))->Deliver(batch);
	EXPECT_EQ(replay.status, sink::Outcome::Status::kDelivered) << replay.error;
	EXPECT_TRUE(replay.rejected.empty());
	EXPECT_EQ(fake.Get("/_fake/docs")["count"], 3);
	EXPECT_EQ(Requests(fake).size(), 2u);
}

// §2.8 check 4: 413 halves the request until it fits; a document alone over the limit is
// dead-lettered, and so is one over bulk_max_bytes before anything is sent.
TEST(ElasticSink, Http413SplitsInHalvesAndDeadLettersASingleOversizeDocument) {
	FakeServerProcess fake("fake_elasticsearch.py", {"--max-content-length", "3000"});
	auto es = ElasticSinkFor(ConfigFor(fake, {{"compression", "none"}}));
	std::vector<MeasurementEnvelope> envelopes;
	for (int i = 0; i < 8; i++)
		envelopes.push_back(Envelope("db1", "wal", {}, {Row(i, i)}));
	envelopes.push_back(Envelope(
	    "db1", "wal", {}, {{{"epoch_ns", Num(kCanonicalEpoch)}, {"text", Str(std::string(4000, 'x'))}}}));
	sink::Outcome outcome = es->Deliver(BatchOf(envelopes));
	ASSERT_EQ(outcome.status, sink::Outcome::Status::kDelivered) << outcome.error;
	ASSERT_EQ(outcome.rejected.size(), 1u);
	EXPECT_EQ(outcome.rejected[0].record_index, 8u);
	EXPECT_NE(outcome.rejected[0].reason.find("HTTP 413"), std::string::npos) << outcome.rejected[0].reason;
	EXPECT_EQ(fake.Get("/_fake/docs")["count"], 8);
	std::vector<json> requests = Requests(fake);
	ASSERT_GE(requests.size(), 3u);
	EXPECT_EQ(Ids(requests[0]["body"]).size(), 9u);
	EXPECT_EQ(Ids(requests[1]["body"]).size(), 4u) << "the first half";

	FakeServerProcess fake2("fake_elasticsearch.py", {});
	auto small = ElasticSinkFor(ConfigFor(fake2, {{"bulk_max_bytes", 2048}}));
	sink::Outcome local = small->Deliver(BatchOf(envelopes));
	ASSERT_EQ(local.status, sink::Outcome::Status::kDelivered) << local.error;
	ASSERT_EQ(local.rejected.size(), 1u);
	EXPECT_NE(local.rejected[0].reason.find("bulk_max_bytes (2048)"), std::string::npos)
	    << local.rejected[0].reason;
	EXPECT_EQ(fake2.Get("/_fake/docs")["count"], 8);
	for (const json &r : Requests(fake2))
		EXPECT_LE(std::string(r["body"]).size(), 2048u);
}

// §2.8 check 5, and Basic authentication; wrong credentials are a retry that says what to fix.
TEST(ElasticSink, SendsApiKeyAndBasicAuthorization) {
	{
		FakeServerProcess fake("fake_elasticsearch.py", {"--authorization", "ApiKey YWJjOmRlZg=="});
		auto es = ElasticSinkFor(ConfigFor(fake), {{"api_key", "abc:def"}});
		sink::Outcome outcome = es->Deliver(ThreeEnvelopes());
		EXPECT_EQ(outcome.status, sink::Outcome::Status::kDelivered) << outcome.error;
		EXPECT_EQ(Requests(fake)[0]["headers"]["Authorization"], "ApiKey YWJjOmRlZg==");

		auto encoded = ElasticSinkFor(ConfigFor(fake), {{"api_key", "YWJjOmRlZg=="}});
		EXPECT_EQ(encoded->Deliver(ThreeEnvelopes()).status, sink::Outcome::Status::kDelivered)
		    << "Elastic's encoded form is sent as it is";
	}
	FakeServerProcess fake("fake_elasticsearch.py", {"--authorization", "Basic ZWxhc3RpYzpjaGFuZ2VtZQ=="});
	auto es = ElasticSinkFor(ConfigFor(fake, {{"username", "elastic"}}), {{"password", "changeme"}});
	EXPECT_EQ(es->Deliver(ThreeEnvelopes()).status, sink::Outcome::Status::kDelivered);

	auto wrong = ElasticSinkFor(ConfigFor(fake, {{"username", "elastic"}}), {{"password", "s3cr3t-wrong"}});
	sink::Outcome refused = wrong->Deliver(ThreeEnvelopes());
	EXPECT_EQ(refused.status, sink::Outcome::Status::kRetry);
	EXPECT_NE(refused.error.find("HTTP 401"), std::string::npos) << refused.error;
	EXPECT_NE(refused.error.find("secrets.password"), std::string::npos) << refused.error;
	EXPECT_EQ(refused.error.find("s3cr3t-wrong"), std::string::npos) << "no secret in the message";
}

TEST(ElasticSink, WholeRequest429IsARetryThatHonoursRetryAfter) {
	FakeServerProcess fake("fake_elasticsearch.py", {});
	auto es = ElasticSinkFor(ConfigFor(fake));
	fake.Post("/_fake/inject", {{"request", 429}, {"retry_after", "2"}});
	sink::Batch batch = ThreeEnvelopes();
	sink::Outcome busy = es->Deliver(batch);
	EXPECT_EQ(busy.status, sink::Outcome::Status::kRetry);
	EXPECT_EQ(busy.retry_after_ms, 2000);
	EXPECT_NE(busy.error.find("HTTP 429"), std::string::npos) << busy.error;
	EXPECT_EQ(es->Deliver(batch).status, sink::Outcome::Status::kDelivered);
	EXPECT_EQ(fake.Get("/_fake/docs")["count"], 3);
}

TEST(ElasticSink, FailsOverToTheNextHostAndRotates) {
	FakeServerProcess fake("fake_elasticsearch.py", {});
	std::string dead = "http://127.0.0.1:1";
	auto es = ElasticSinkFor(ConfigFor(fake, {{"hosts", {dead, fake.Url()}}, {"bulk_max_size", 1}}));
	sink::Outcome outcome = es->Deliver(ThreeEnvelopes());
	EXPECT_EQ(outcome.status, sink::Outcome::Status::kDelivered) << outcome.error;
	EXPECT_EQ(fake.Get("/_fake/docs")["count"], 3);
	EXPECT_EQ(Requests(fake).size(), 3u) << "bulk_max_size 1: one request per document";

	auto nowhere = ElasticSinkFor(ConfigFor(fake, {{"hosts", {dead}}}));
	sink::Outcome down = nowhere->Deliver(ThreeEnvelopes());
	EXPECT_EQ(down.status, sink::Outcome::Status::kRetry);
	EXPECT_NE(down.error.find("127.0.0.1:1"), std::string::npos) << down.error;
}

TEST(ElasticSink, MappingConflictAndUndecodableRecordGoToTheDeadLetters) {
	FakeServerProcess fake("fake_elasticsearch.py", {});
	auto es = ElasticSinkFor(ConfigFor(fake, {{"pipeline", "pgwatch@custom"}}));
	sink::Batch batch = BatchOf({Envelope("db1", "m", {}, {Row(1)}),
	                             Envelope("db1", "m", {},
	                                      {{{"epoch_ns", Num(kCanonicalEpoch)}, {"value", Str("high")}},
	                                       {{"epoch_ns", Num(kCanonicalEpoch)}, {"value", Num(5)}}})});
	sink::Record broken = batch.records[0];
	broken.seq = 999;
	broken.payload = "\xff\xff not protobuf";
	batch.records.push_back(broken);
	sink::Outcome outcome = es->Deliver(batch);
	ASSERT_EQ(outcome.status, sink::Outcome::Status::kDelivered) << outcome.error;
	ASSERT_EQ(outcome.rejected.size(), 2u);
	EXPECT_EQ(outcome.rejected[0].record_index, 1u);
	EXPECT_NE(outcome.rejected[0].reason.find("mapper_parsing_exception"), std::string::npos)
	    << outcome.rejected[0].reason;
	EXPECT_EQ(outcome.rejected[1].record_index, 2u);
	EXPECT_NE(outcome.rejected[1].reason.find("cannot be decoded"), std::string::npos)
	    << outcome.rejected[1].reason;
	EXPECT_EQ(fake.Get("/_fake/docs")["count"], 2) << "the other row of the refused envelope is stored";
	EXPECT_EQ(Requests(fake)[0]["query"],
	          "filter_path=errors,items.*.status,items.*.error&pipeline=pgwatch@custom");
}

TEST(ElasticIndexNamer, TemplatesDataStreamsAndSanitizedNames) {
	sinks::ElasticSettings settings;
	std::string error;
	ASSERT_TRUE(
	    sinks::ParseIndexTemplate("pgw-%{dbname}-%{metric}-%Y.%m.%d.%H-100%%", &settings.index, &error))
	    << error;
	sinks::IndexNamer names(settings);
	EXPECT_EQ(names.Name("Table/Stats#1", "Prod DB", static_cast<int64_t>(kCanonicalEpoch)),
	          "pgw-prod_db-table_stats_1-2026.11.23.19-100%");
	sinks::ElasticSettings stream;
	stream.data_stream = true;
	stream.data_stream_namespace = "prod";
	sinks::IndexNamer streams(stream);
	EXPECT_EQ(streams.Name("pg-stat", "db", 0), "metrics-pgwatch.pg_stat-prod")
	    << "no \"-\" inside the dataset";
	sinks::ElasticSettings bare;
	ASSERT_TRUE(sinks::ParseIndexTemplate("%{metric}", &bare.index, &error));
	sinks::IndexNamer leading(bare);
	EXPECT_EQ(leading.Name("_private", "db", 0), "private") << "no leading _";
	EXPECT_EQ(leading.Name(std::string(300, 'a'), "db", 0).size(), 255u);
}

TEST(ElasticKind, ValidatorNamesEveryBadKey) {
	EXPECT_TRUE(Validate(R"({"hosts": ["https://es1:9200", "http://es2:9200/prefix/"]})").empty());
	EXPECT_TRUE(Validate(R"({"hosts": "https://es:9200", "data_stream": true, "namespace": "prod",
	                         "bulk_max_size": 1000, "max_batch_rows": 2000, "compression": "none"})",
	                     R"({"api_key": "abc:def"})")
	                .empty());
	auto problems = Validate(R"({"hosts": ["es1:9200", "https://u:p@es2"], "index": "PGWATCH-%{metric}",
	                             "namespace": "a-b", "bulk_max_size": 0, "password": "x", "hots": 1,
	                             "username": "elastic", "pipeline": "a b"})",
	                         R"({"api_key": "k", "token": "t"})");
	EXPECT_NE(ProblemFor(problems, "hosts[0]").find("http:// or https://"), std::string::npos);
	EXPECT_NE(ProblemFor(problems, "hosts[1]").find("user info"), std::string::npos);
	EXPECT_NE(ProblemFor(problems, "index").find("upper case"), std::string::npos);
	EXPECT_NE(ProblemFor(problems, "namespace").find("separates"), std::string::npos);
	EXPECT_NE(ProblemFor(problems, "bulk_max_size").find("between 1 and"), std::string::npos);
	EXPECT_NE(ProblemFor(problems, "password").find("secrets.password"), std::string::npos);
	EXPECT_NE(ProblemFor(problems, "hots").find("unknown key"), std::string::npos);
	EXPECT_NE(ProblemFor(problems, "username").find("secrets.password"), std::string::npos);
	EXPECT_NE(ProblemFor(problems, "pipeline").find("ingest pipeline"), std::string::npos);
	EXPECT_NE(ProblemFor(problems, "secrets.api_key").find("username"), std::string::npos);
	EXPECT_NE(ProblemFor(problems, "secrets.token").find("unknown secret"), std::string::npos);

	EXPECT_NE(ProblemFor(Validate("{}"), "hosts").find("required"), std::string::npos);
	EXPECT_NE(ProblemFor(Validate(R"({"hosts": ["http://es"], "namespace": "prod"})"), "namespace")
	              .find("only used with \"data_stream\": true"),
	          std::string::npos);
	EXPECT_NE(ProblemFor(Validate(R"({"hosts": ["http://es"], "index": "x-%{month}"})"), "index")
	              .find("unknown placeholder"),
	          std::string::npos);
	EXPECT_NE(
	    ProblemFor(Validate(R"({"hosts": ["http://es"], "index": "_x"})"), "index").find("must not start"),
	    std::string::npos);
	EXPECT_NE(ProblemFor(Validate(R"({"hosts": ["http://es"], "data_stream": true, "index": "x"})"), "index")
	              .find("cannot be combined"),
	          std::string::npos);
	EXPECT_NE(ProblemFor(Validate(R"({"hosts": ["http://es"], "timeout": 5})"), "timeout").find("timeout_ms"),
	          std::string::npos);
}

// §2.8 check 6: our bulk body and the one the official @elastic/elasticsearch client sends
// for the same rows parse to equal JSON line sequences. The client runs in Node
// (test/interop/node/es_bulk.js, after npm ci there) against the same fake; it builds the
// documents, ids and index names from the envelopes itself.
TEST(ElasticOfficialClient, BulkBodyParsesLikeOurs) {
	std::string node_dir =
	    std::string(__FILE__).substr(0, std::string(__FILE__).rfind('/')) + "/../interop/node";
	struct stat st;
	if (stat((node_dir + "/node_modules/@elastic/elasticsearch").c_str(), &st) != 0)
		GTEST_SKIP() << "npm ci in test/interop/node installs @elastic/elasticsearch";
	FakeServerProcess fake("fake_elasticsearch.py", {});
	MeasurementEnvelope env = Canonical();
	env.add_data()->CopyFrom(env.data(0));
	sink::Batch batch = BatchOf({env, Envelope("db2", "Table Stats", {{"a", "b"}}, {Row(0.5, 3600 * 5)})});
	ASSERT_EQ(ElasticSinkFor(ConfigFor(fake))->Deliver(batch).status, sink::Outcome::Status::kDelivered);
	std::string ours = Requests(fake)[0]["body"];
	std::vector<std::string> lines = Lines(ours);
	lines.pop_back();

	// The client gets the envelopes, and builds the operations from them (es_bulk.js).
	json input_records = json::array();
	for (const sink::Record &r : batch.records) {
		MeasurementEnvelope env_of_record;
		ASSERT_TRUE(env_of_record.ParseFromString(r.payload));
		std::string envelope_json;
		ASSERT_TRUE(google::protobuf::util::MessageToJsonString(env_of_record, &envelope_json).ok());
		input_records.push_back(
		    {{"listener_id", r.listener_id}, {"seq", r.seq}, {"envelope", json::parse(envelope_json)}});
	}
	std::string input = "/tmp/es_bulk_input_" + std::to_string(getpid()) + ".json";
	std::ofstream(input) << input_records.dump();
	std::string command = "node " + node_dir + "/es_bulk.js " + fake.Url() + " " + input + " 2>&1";
	FILE *pipe = popen(command.c_str(), "r");
	ASSERT_NE(pipe, nullptr);
	std::string output;
	char buf[512];
	while (size_t n = fread(buf, 1, sizeof buf, pipe))
		output.append(buf, n);
	int rc = pclose(pipe);
	std::remove(input.c_str());
	ASSERT_EQ(rc, 0) << output;

	std::vector<json> requests = Requests(fake);
	ASSERT_EQ(requests.size(), 2u);
	std::string theirs = requests[1]["body"];
	std::vector<std::string> their_lines = Lines(theirs);
	EXPECT_EQ(their_lines.back(), "") << "the client also ends the body with \\n";
	their_lines.pop_back();
	ASSERT_EQ(their_lines.size(), lines.size()) << theirs;
	for (size_t i = 0; i < lines.size(); i++)
		EXPECT_EQ(json::parse(their_lines[i]), json::parse(lines[i])) << "line " << i;
}

namespace {

constexpr const char *kAwsKeyId = "AKIAIOSFODNN7EXAMPLE";
constexpr const char *kAwsSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

// SigV4Fake: fake_elasticsearch.py checking SigV4 signatures as Amazon OpenSearch does.
std::vector<std::string> SigV4Fake(const std::string &region, const std::string &service,
                                   const std::string &session_token = "") {
	std::vector<std::string> args = {"--sigv4-secret", kAwsSecret, "--sigv4-key-id",  kAwsKeyId,
	                                 "--sigv4-region", region,     "--sigv4-service", service};
	if (!session_token.empty())
		args.insert(args.end(), {"--sigv4-session-token", session_token});
	return args;
}

json SigV4Config(const FakeServerProcess &fake, const std::string &region, const std::string &service) {
	return ConfigFor(fake, {{"aws_sigv4", {{"region", region}, {"service", service}}}});
}

// UnixTime: an X-Amz-Date (YYYYMMDDTHHMMSSZ) in Unix seconds.
int64_t UnixTime(const std::string &amz_date) {
	std::tm tm{};
	EXPECT_NE(strptime(amz_date.c_str(), "%Y%m%dT%H%M%SZ", &tm), nullptr) << amz_date;
	return static_cast<int64_t>(timegm(&tm));
}

// ExpectAwsSignerAgrees: AWS's own signer, given what the fake received (headers, and the body
// still compressed), computes the Authorization the sink sent.
void ExpectAwsSignerAgrees(const FakeServerProcess &fake, const json &captured,
                           const pgwatch_rpc::http::AwsCredentials &credentials, const std::string &region,
                           const std::string &service) {
	if (std::string missing = pgwatch_rpc::http_test::SigV4OracleMissing(); !missing.empty()) {
		std::printf("not cross-checked with AWS's signer: %s\n", missing.c_str());
		return;
	}
	pgwatch_rpc::http::HeaderList received;
	for (const auto &[name, value] : captured["headers"].items())
		received.emplace_back(name, value.get<std::string>());
	pgwatch_rpc::http::SigV4Scope scope;
	scope.region = region;
	scope.service = service;
	std::string url =
	    fake.Url(captured["path"].get<std::string>() + "?" + captured["query"].get<std::string>());
	json input = pgwatch_rpc::http_test::OracleRequestFor(
	    "POST", url, received, "", credentials, scope,
	    UnixTime(std::string(*pgwatch_rpc::http::FindHeader(received, "X-Amz-Date"))));
	input["body_base64"] = captured["raw_body_base64"]; // the bytes received, not the inflated body
	json theirs = pgwatch_rpc::http_test::RunSigV4Oracle(json::array({input}));
	EXPECT_EQ(theirs[0]["authorization"], *pgwatch_rpc::http::FindHeader(received, "Authorization"));
}

// EnvironmentGuard: sets (or unsets, for nullopt) process environment variables for one test
// and restores them.
class EnvironmentGuard {
public:
	void Set(const char *name, std::optional<std::string> value) {
		const char *old = std::getenv(name);
		saved_.emplace_back(name, old != nullptr ? std::optional<std::string>(old) : std::nullopt);
		if (value)
			setenv(name, value->c_str(), 1);
		else
			unsetenv(name);
	}
	~EnvironmentGuard() {
		for (auto it = saved_.rbegin(); it != saved_.rend(); ++it) {
			if (it->second)
				setenv(it->first.c_str(), it->second->c_str(), 1);
			else
				unsetenv(it->first.c_str());
		}
	}

private:
	std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

} // namespace

// Amazon OpenSearch Service: the gzip bulk request carries a SigV4 signature the fake
// accepts, over the compressed bytes and Content-Encoding, equal to AWS's own signer's.
TEST(ElasticSigV4, SignedBulkRequestIsAcceptedAndEqualsAwsSigner) {
	FakeServerProcess fake("fake_elasticsearch.py", SigV4Fake("eu-west-1", "es"));
	json config = SigV4Config(fake, "eu-west-1", "es");
	config["pipeline"] = "pgwatch@custom";
	auto es =
	    ElasticSinkFor(config, {{"aws_access_key_id", kAwsKeyId}, {"aws_secret_access_key", kAwsSecret}});
	sink::Outcome outcome = es->Deliver(ThreeEnvelopes());
	ASSERT_EQ(outcome.status, sink::Outcome::Status::kDelivered) << outcome.error;
	EXPECT_EQ(fake.Get("/_fake/docs")["count"], 3);

	json captured = Requests(fake)[0];
	std::string authorization = captured["headers"]["Authorization"];
	EXPECT_TRUE(std::regex_match(
	    authorization, std::regex("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/[0-9]{8}/eu-west-1/es/"
	                              "aws4_request, SignedHeaders=accept;content-encoding;content-type;host;"
	                              "x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}")))
	    << authorization;
	EXPECT_EQ(captured["headers"]["Content-Encoding"], "gzip");
	ExpectAwsSignerAgrees(fake, captured, {kAwsKeyId, kAwsSecret, ""}, "eu-west-1", "es");
}

// A wrong secret is refused (403); the sink retries and says what to check, without the secret.
TEST(ElasticSigV4, WrongSecretIsRefusedAndTheErrorSaysWhatToCheck) {
	FakeServerProcess fake("fake_elasticsearch.py", SigV4Fake("us-east-1", "es"));
	std::string wrong = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYWRONGKEYXX";
	auto es = ElasticSinkFor(SigV4Config(fake, "us-east-1", "es"),
	                         {{"aws_access_key_id", kAwsKeyId}, {"aws_secret_access_key", wrong}});
	sink::Outcome refused = es->Deliver(ThreeEnvelopes());
	EXPECT_EQ(refused.status, sink::Outcome::Status::kRetry);
	EXPECT_NE(refused.error.find("HTTP 403"), std::string::npos) << refused.error;
	EXPECT_NE(refused.error.find("signature we calculated does not match"), std::string::npos)
	    << refused.error;
	EXPECT_NE(refused.error.find("secrets.aws_secret_access_key"), std::string::npos) << refused.error;
	EXPECT_NE(refused.error.find("the clock"), std::string::npos) << refused.error;
	EXPECT_EQ(refused.error.find(wrong), std::string::npos) << "no secret in the message";
	EXPECT_EQ(fake.Get("/_fake/docs")["count"], 0);

	auto other_region =
	    ElasticSinkFor(SigV4Config(fake, "us-west-2", "es"),
	                   {{"aws_access_key_id", kAwsKeyId}, {"aws_secret_access_key", kAwsSecret}});
	sink::Outcome scoped = other_region->Deliver(ThreeEnvelopes());
	EXPECT_EQ(scoped.status, sink::Outcome::Status::kRetry);
	EXPECT_NE(scoped.error.find("scoped to a valid region"), std::string::npos) << scoped.error;
}

// OpenSearch Serverless: service aoss, temporary credentials (session token), no compression.
TEST(ElasticSigV4, ServerlessWithSessionToken) {
	FakeServerProcess fake("fake_elasticsearch.py",
	                       SigV4Fake("us-east-1", "aoss", "FwoGZXIvYXdzEXAMPLETOKEN="));
	json config = SigV4Config(fake, "us-east-1", "aoss");
	config["compression"] = "none";
	json secrets = {{"aws_access_key_id", "ASIAEXAMPLE"},
	                {"aws_secret_access_key", kAwsSecret},
	                {"aws_session_token", "FwoGZXIvYXdzEXAMPLETOKEN="}};
	// The fake's key id is another: the first sink is refused as an unknown identity.
	auto stranger = ElasticSinkFor(config, secrets);
	sink::Outcome refused = stranger->Deliver(ThreeEnvelopes());
	EXPECT_EQ(refused.status, sink::Outcome::Status::kRetry);
	EXPECT_NE(refused.error.find("security token included in the request is invalid"), std::string::npos)
	    << refused.error;
	EXPECT_EQ(refused.error.find("FwoGZXIvYXdzEXAMPLETOKEN="), std::string::npos)
	    << "no token in the message";

	secrets["aws_access_key_id"] = kAwsKeyId;
	auto es = ElasticSinkFor(config, secrets);
	sink::Outcome outcome = es->Deliver(ThreeEnvelopes());
	ASSERT_EQ(outcome.status, sink::Outcome::Status::kDelivered) << outcome.error;
	json captured = Requests(fake).back();
	EXPECT_EQ(captured["headers"]["X-Amz-Security-Token"], "FwoGZXIvYXdzEXAMPLETOKEN=");
	EXPECT_EQ(captured["headers"].count("Content-Encoding"), 0u);
	EXPECT_NE(
	    std::string(captured["headers"]["Authorization"])
	        .find("/us-east-1/aoss/aws4_request, SignedHeaders=accept;content-type;host;x-amz-content-sha256;"
	              "x-amz-date;x-amz-security-token, "),
	    std::string::npos)
	    << captured["headers"]["Authorization"];
	ExpectAwsSignerAgrees(fake, captured, {kAwsKeyId, kAwsSecret, "FwoGZXIvYXdzEXAMPLETOKEN="}, "us-east-1",
	                      "aoss");
}

// Without secrets the credentials come from the delivery process's AWS_* variables (in
// production: the PostgreSQL server's environment, which the delivery child inherits).
TEST(ElasticSigV4, CredentialsFallBackToTheEnvironment) {
	FakeServerProcess fake("fake_elasticsearch.py", SigV4Fake("us-east-1", "es"));
	EnvironmentGuard env;
	env.Set("AWS_ACCESS_KEY_ID", std::nullopt);
	env.Set("AWS_SECRET_ACCESS_KEY", std::nullopt);
	env.Set("AWS_SESSION_TOKEN", std::nullopt);
	try {
		ElasticSinkFor(SigV4Config(fake, "us-east-1", "es"));
		ADD_FAILURE() << "a sink without credentials was created";
	} catch (const std::invalid_argument &e) {
		std::string message = e.what();
		EXPECT_NE(message.find("secrets.aws_access_key_id"), std::string::npos) << message;
		EXPECT_NE(
		    message.find("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment of the PostgreSQL "
		                 "server"),
		    std::string::npos)
		    << message;
	}
	env.Set("AWS_ACCESS_KEY_ID", kAwsKeyId);
	env.Set("AWS_SECRET_ACCESS_KEY", kAwsSecret);
	auto es = ElasticSinkFor(SigV4Config(fake, "us-east-1", "es"));
	sink::Outcome outcome = es->Deliver(ThreeEnvelopes());
	EXPECT_EQ(outcome.status, sink::Outcome::Status::kDelivered) << outcome.error;
	EXPECT_EQ(fake.Get("/_fake/docs")["count"], 3);
}

TEST(ElasticKind, AwsSigV4KeysAreValidated) {
	const char *hosts = R"("hosts": ["https://search-pgwatch.eu-west-1.es.amazonaws.com"])";
	auto config = [&](const std::string &rest) { return "{" + std::string(hosts) + ", " + rest + "}"; };
	EXPECT_TRUE(Validate(config(R"("aws_sigv4": {"region": "eu-west-1"})").c_str()).empty())
	    << "credentials may come from the environment; service defaults to es";
	EXPECT_TRUE(Validate(config(R"("aws_sigv4": {"region": "us-east-1", "service": "aoss"})").c_str(),
	                     R"({"aws_access_key_id": "AKIAIOSFODNN7EXAMPLE", "aws_secret_access_key": "s/x+y",
	                         "aws_session_token": "t0k3n="})")
	                .empty());

	auto problems =
	    Validate(config(R"("aws_sigv4": {"region": "EU West", "service": "s3", "secret_access_key": "x",
	                                                  "regoin": "x"}, "username": "u")")
	                 .c_str(),
	             R"({"password": "p", "aws_access_key_id": "akid", "aws_session_token": "t"})");
	EXPECT_NE(ProblemFor(problems, "aws_sigv4.region").find("AWS region name such as"), std::string::npos);
	EXPECT_NE(
	    ProblemFor(problems, "aws_sigv4.service").find("\"es\" (Amazon OpenSearch Service) or \"aoss\""),
	    std::string::npos);
	EXPECT_NE(ProblemFor(problems, "aws_sigv4.secret_access_key").find("secrets.aws_secret_access_key"),
	          std::string::npos);
	EXPECT_NE(ProblemFor(problems, "aws_sigv4.regoin").find("accepts region and service"), std::string::npos);
	EXPECT_NE(ProblemFor(problems, "aws_sigv4").find("cannot be combined with username/password"),
	          std::string::npos);
	EXPECT_NE(ProblemFor(problems, "secrets.aws_access_key_id").find("upper-case letters and digits"),
	          std::string::npos);
	EXPECT_NE(ProblemFor(problems, "secrets.aws_session_token").find("needs secrets.aws_access_key_id"),
	          std::string::npos);
	for (const sink::ConfigProblem &p : problems)
		EXPECT_EQ(p.reason.find("akid"), std::string::npos)
		    << "a secret's value is never quoted: " << p.reason;

	EXPECT_NE(ProblemFor(Validate(config(R"("aws_sigv4": {"service": "aoss"})").c_str()), "aws_sigv4.region")
	              .find("is required"),
	          std::string::npos);
	EXPECT_NE(
	    ProblemFor(Validate(config(R"("aws_sigv4": "us-east-1")").c_str()), "aws_sigv4").find("an object"),
	    std::string::npos);
	EXPECT_NE(ProblemFor(Validate(config(R"("aws_sigv4": {"region": "us-east-1"})").c_str(),
	                              R"({"aws_access_key_id": "AKIAIOSFODNN7EXAMPLE"})"),
	                     "secrets.aws_access_key_id")
	              .find("needs secrets.aws_secret_access_key"),
	          std::string::npos);
	EXPECT_NE(ProblemFor(Validate(config(R"("index": "x")").c_str(), R"({"aws_secret_access_key": "s"})"),
	                     "secrets.aws_secret_access_key")
	              .find("only used with the aws_sigv4 key"),
	          std::string::npos);
	EXPECT_NE(ProblemFor(Validate(config(R"("aws_sigv4": {"region": "us-east-1"})").c_str(),
	                              R"({"api_key": "abc:def"})"),
	                     "aws_sigv4")
	              .find("or api_key"),
	          std::string::npos);
	EXPECT_NE(ProblemFor(Validate(config(R"("aws_sigv4": {"region": "us-east-1"})").c_str(),
	                              R"({"headers": {"Authorization": "Bearer x"}})"),
	                     "secrets.headers.Authorization")
	              .find("conflicts with aws_sigv4"),
	          std::string::npos);
	EXPECT_NE(ProblemFor(Validate(config(R"("aws_sigv4": {"region": "us-east-1"},
	                                       "headers": {"X-Amz-Date": "20260101T000000Z"})")
	                                  .c_str()),
	                     "headers.X-Amz-Date")
	              .find("conflicts with aws_sigv4"),
	          std::string::npos);
	EXPECT_NE(ProblemFor(Validate(config(R"("aws_secret_access_key": "s")").c_str()), "aws_secret_access_key")
	              .find("secrets.aws_secret_access_key"),
	          std::string::npos);
}
