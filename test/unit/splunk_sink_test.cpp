// The splunk sink (sinks/splunk) driven through Deliver with spool-shaped records against
// test/fakes/fake_splunk_hec.py, a fake HEC written from SINKS.md §3 (Splunk is proprietary):
// SINKS.md §3.8's acceptance checks 1–5, the channel, and the config validator's messages.
#include "core/delivery/sink_context.hpp"
#include "core/sink/registry.hpp"
#include "core/sink/waiter.hpp"
#include "fake_server_process.hpp"
#include "sink_test_records.hpp"
#include "sinks/splunk/hec_channel.hpp"
#include "sinks/splunk/splunk_kind.hpp"
#include "sinks/splunk/splunk_sink.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <regex>
#include <thread>

namespace sink = pgwatch_rpc::sink;
namespace sinks = pgwatch_rpc::sinks;
using namespace pgwatch_rpc::sink_test;
using nlohmann::json;
using pgwatch_rpc::http_test::FakeServerProcess;

namespace {

constexpr const char *kToken = "11111111-2222-3333-4444-555555555555";

std::unique_ptr<sink::Sink> SplunkSinkFor(const json &config, const std::string &token = kToken,
                                          sink::Waiter &waiter = sink::PlainWaiter()) {
	pgwatch_rpc::delivery::SinkContext context;
	context.sink_name = "hec";
	context.config = config;
	context.secrets = {{"token", token}};
	context.waiter = &waiter;
	return sinks::CreateSplunkSink(context);
}

// StopAfterWaits plays the delivery child's waiter: its first `waits` waits sleep, then a
// stop is requested and every wait reports it.
class StopAfterWaits : public sink::Waiter {
public:
	explicit StopAfterWaits(int waits) : waits_left(waits) {}
	bool WaitMs(int64_t ms) override {
		asked_ms.push_back(ms);
		if (waits_left-- <= 0)
			return false;
		std::this_thread::sleep_for(std::chrono::milliseconds(ms));
		return true;
	}
	bool StopRequested() override { return waits_left < 0; }
	int waits_left;
	std::vector<int64_t> asked_ms;
};

json ConfigFor(const FakeServerProcess &fake, json extra = json::object()) {
	json config = {{"endpoint", fake.Url()}, {"proxy", ""}, {"timeout_ms", 10000}};
	config.update(extra);
	return config;
}

FakeServerProcess Hec(std::vector<std::string> extra = {}) {
	std::vector<std::string> args = {"--token", kToken};
	args.insert(args.end(), extra.begin(), extra.end());
	return FakeServerProcess("fake_splunk_hec.py", args);
}

std::vector<json> Requests(FakeServerProcess &fake, const std::string &path_suffix = "") {
	std::vector<json> requests;
	json answer = fake.Get("/_fake/requests");
	for (const json &r : answer["requests"]) {
		std::string path = r["path"];
		bool ends = path.size() >= path_suffix.size() &&
		            path.compare(path.size() - path_suffix.size(), path_suffix.size(), path_suffix) == 0;
		if (ends)
			requests.push_back(r);
	}
	return requests;
}

// Events: a body of concatenated JSON objects, parsed one by one.
std::vector<json> Events(const std::string &body) {
	std::vector<json> events;
	size_t pos = 0;
	while (pos < body.size()) {
		size_t end = body.find("}\n", pos);
		if (end == std::string::npos)
			break;
		events.push_back(json::parse(body.substr(pos, end + 1 - pos)));
		pos = end + 2;
	}
	return events;
}

std::vector<json> Stored(FakeServerProcess &fake) {
	std::vector<json> events;
	json answer = fake.Get("/_fake/events");
	for (const json &e : answer["events"])
		events.push_back(e["event"]);
	return events;
}

sink::Batch Envelopes(int count) {
	std::vector<MeasurementEnvelope> envelopes;
	for (int i = 0; i < count; i++)
		envelopes.push_back(Envelope("db1", "wal", {}, {Row(i, i)}));
	return BatchOf(envelopes);
}

std::string ProblemFor(const std::vector<sink::ConfigProblem> &problems, const std::string &key) {
	for (const sink::ConfigProblem &p : problems)
		if (p.key == key)
			return p.reason;
	return "";
}

} // namespace

// §3.8 check 1, with §3.1's event for SINKS.md §0.3's canonical row.
TEST(SplunkSink, SendsTheTokenAndConcatenatedEventsInEpochSeconds) {
	FakeServerProcess fake = Hec();
	auto hec = SplunkSinkFor(ConfigFor(fake, {{"index", "pgwatch"}}));
	MeasurementEnvelope env = Canonical();
	env.add_data()->CopyFrom(env.data(0));
	sink::Outcome outcome = hec->Deliver(BatchOf({env, Envelope("db2", "wal", {}, {Row(1)})}));
	ASSERT_EQ(outcome.status, sink::Outcome::Status::kDelivered) << outcome.error;

	std::vector<json> requests = Requests(fake);
	ASSERT_EQ(requests.size(), 1u);
	EXPECT_EQ(requests[0]["path"], "/services/collector/event");
	EXPECT_EQ(requests[0]["headers"]["Authorization"], std::string("Splunk ") + kToken);
	EXPECT_EQ(requests[0]["headers"]["Content-Encoding"], "gzip") << "gzip is the default";
	std::vector<json> events = Events(requests[0]["body"]);
	ASSERT_EQ(events.size(), 3u) << requests[0]["body"];
	for (const json &e : events)
		EXPECT_EQ(e["time"].get<double>(), 1795462940.0);
	json first = events[0];
	std::string id = first["event"]["id"];
	EXPECT_TRUE(std::regex_match(id, std::regex("[0-9a-f]{64}"))) << id;
	first["event"].erase("id");
	EXPECT_EQ(first, json::parse(
	                     R"({"time":1795462940.000,"host":"db1","source":"pgwatch","sourcetype":"pgwatch:wal",
	                                 "index":"pgwatch",
	                                 "event":{"metric":"wal","dbname":"db1","xlog_location_b":100,"in_recovery_int":0},
	                                 "fields":{"dbname":"db1","metric":"wal","env":"prod","sys_id":"7"}})"));
	EXPECT_NE(events[1]["event"]["id"], id) << "each row has its own id";
	EXPECT_EQ(events[2]["host"], "db2");
	EXPECT_EQ(Stored(fake).size(), 3u);
}

// §3.8 check 2: one channel for every request; delivered only once /ack says true.
TEST(SplunkSink, WaitsForIndexerAcknowledgementOnOneChannel) {
	FakeServerProcess fake = Hec({"--ack", "--ack-after-polls", "3"});
	auto hec = SplunkSinkFor(
	    ConfigFor(fake, {{"use_ack", true}, {"ack_poll_interval", "20ms"}, {"max_events_per_request", 2}}));
	sink::Outcome outcome = hec->Deliver(Envelopes(5));
	ASSERT_EQ(outcome.status, sink::Outcome::Status::kDelivered) << outcome.error;
	std::vector<json> sends = Requests(fake, "/event");
	std::vector<json> polls = Requests(fake, "/ack");
	ASSERT_EQ(sends.size(), 3u);
	ASSERT_GE(polls.size(), 3u) << "acknowledged only from the third poll on";
	std::string channel = sends[0]["headers"]["X-Splunk-Request-Channel"];
	EXPECT_EQ(channel, sinks::DeriveChannel("hec"));
	for (const json &r : Requests(fake))
		EXPECT_EQ(r["headers"]["X-Splunk-Request-Channel"], channel) << r["path"];
	EXPECT_EQ(polls[0]["query"], "channel=" + channel);
	EXPECT_EQ(json::parse(std::string(polls[0]["body"])), json::parse(R"({"acks":[0,1,2]})"));
	EXPECT_EQ(Stored(fake).size(), 5u);
}

// §3.8 check 2: an acknowledgement stuck false past ack_timeout sends the events again.
TEST(SplunkSink, ResendsWhenTheAcknowledgementDoesNotComeInTime) {
	FakeServerProcess fake = Hec({"--ack"});
	auto hec = SplunkSinkFor(
	    ConfigFor(fake, {{"use_ack", true}, {"ack_poll_interval", "50ms"}, {"ack_timeout", "1s"}}));
	fake.Post("/_fake/inject", {{"stick_ack", true}});
	sink::Batch batch = Envelopes(2);
	sink::Outcome first = hec->Deliver(batch);
	EXPECT_EQ(first.status, sink::Outcome::Status::kRetry) << "not delivered without an acknowledgement";
	EXPECT_NE(first.error.find("ack_timeout"), std::string::npos) << first.error;
	EXPECT_EQ(Requests(fake, "/event").size(), 1u);

	sink::Outcome second = hec->Deliver(batch);
	ASSERT_EQ(second.status, sink::Outcome::Status::kDelivered) << second.error;
	EXPECT_EQ(Requests(fake, "/event").size(), 2u) << "the batch was sent again";
	EXPECT_EQ(Stored(fake).size(), 4u) << "at-least-once: the first copy was received too";
}

// A stop requested while acknowledgements are awaited ends the wait at once (the default
// ack_timeout of 5 minutes would otherwise hold the stop up): Deliver says the process is
// stopping, and the batch, still in the spool, is not taken for delivered.
TEST(SplunkSink, AStopDuringTheAcknowledgementWaitReturnsAtOnce) {
	FakeServerProcess fake = Hec({"--ack"});
	StopAfterWaits waiter(2);
	auto hec =
	    SplunkSinkFor(ConfigFor(fake, {{"use_ack", true}, {"ack_poll_interval", "20ms"}}), kToken, waiter);
	fake.Post("/_fake/inject", {{"stick_ack", true}});
	sink::Outcome outcome = hec->Deliver(Envelopes(2));
	EXPECT_EQ(outcome.status, sink::Outcome::Status::kRetry);
	EXPECT_TRUE(outcome.stopped) << "a stop, not a failure of the collector";
	EXPECT_NE(outcome.error.find("stopping while waiting for the indexer acknowledgement of a request"),
	          std::string::npos)
	    << outcome.error;
	EXPECT_EQ(waiter.asked_ms, (std::vector<int64_t>{20, 20, 20})) << "two waits, then the stop";
	EXPECT_EQ(Requests(fake, "/ack").size(), 2u) << "no poll after the stop";
	EXPECT_EQ(Requests(fake, "/event").size(), 1u);
}

// Acknowledgements that come while the sink waits are honoured, also across a stop: the same
// sink's next Deliver of the batch polls the ids it still awaits before sending anything.
TEST(SplunkSink, AcknowledgementsThatArriveAreHonouredAcrossAStop) {
	FakeServerProcess fake = Hec({"--ack", "--ack-after-polls", "3"});
	StopAfterWaits waiter(1);
	auto hec =
	    SplunkSinkFor(ConfigFor(fake, {{"use_ack", true}, {"ack_poll_interval", "20ms"}}), kToken, waiter);
	sink::Batch batch = Envelopes(3);
	sink::Outcome stopped = hec->Deliver(batch);
	ASSERT_TRUE(stopped.stopped) << stopped.error;
	EXPECT_EQ(Requests(fake, "/ack").size(), 1u);

	waiter.waits_left = 10;
	sink::Outcome outcome = hec->Deliver(batch);
	ASSERT_EQ(outcome.status, sink::Outcome::Status::kDelivered) << outcome.error;
	EXPECT_EQ(Requests(fake, "/ack").size(), 3u) << "true from the third poll on";
	EXPECT_EQ(Requests(fake, "/event").size(), 1u) << "nothing sent again";
	EXPECT_EQ(Stored(fake).size(), 3u);
}

// A retried batch first asks about the acknowledgements of the attempt before, and sends
// only what was not acknowledged.
TEST(SplunkSink, ARetryPollsTheEarlierAcknowledgementsBeforeResending) {
	FakeServerProcess fake = Hec({"--ack"});
	auto hec = SplunkSinkFor(
	    ConfigFor(fake, {{"use_ack", true}, {"ack_poll_interval", "20ms"}, {"max_events_per_request", 1}}));
	fake.Post("/_fake/inject", json::object()); // the first request goes through
	fake.Post("/_fake/inject", {{"status", 503}, {"code", 9}, {"text", "Server is busy"}});
	sink::Batch batch = Envelopes(2);
	sink::Outcome first = hec->Deliver(batch);
	EXPECT_EQ(first.status, sink::Outcome::Status::kRetry);
	EXPECT_TRUE(Requests(fake, "/ack").empty()) << "a failed attempt returns without waiting";

	sink::Outcome second = hec->Deliver(batch);
	ASSERT_EQ(second.status, sink::Outcome::Status::kDelivered) << second.error;
	std::vector<json> sends = Requests(fake, "/event");
	ASSERT_EQ(sends.size(), 3u);
	std::vector<json> last = Events(sends[2]["body"]);
	ASSERT_EQ(last.size(), 1u);
	EXPECT_EQ(last[0]["event"]["value"], 1) << "the acknowledged first event is not sent again";
	EXPECT_EQ(Stored(fake).size(), 2u);
}

// §3.8 check 3: 400 code 6 with invalid-event-number 2 in a 5-event batch.
TEST(SplunkSink, InvalidEventNumberSettlesTheEventsBeforeDeadLettersOneAndResendsTheRest) {
	FakeServerProcess fake = Hec();
	auto hec = SplunkSinkFor(ConfigFor(fake));
	fake.Post("/_fake/inject", {{"invalid_event", 2}});
	sink::Outcome outcome = hec->Deliver(Envelopes(5));
	ASSERT_EQ(outcome.status, sink::Outcome::Status::kDelivered) << outcome.error;
	ASSERT_EQ(outcome.rejected.size(), 1u);
	EXPECT_EQ(outcome.rejected[0].record_index, 2u);
	EXPECT_NE(outcome.rejected[0].reason.find("Invalid data format"), std::string::npos)
	    << outcome.rejected[0].reason;
	std::vector<json> sends = Requests(fake, "/event");
	ASSERT_EQ(sends.size(), 2u);
	EXPECT_EQ(Events(sends[0]["body"]).size(), 5u);
	std::vector<json> resent = Events(sends[1]["body"]);
	ASSERT_EQ(resent.size(), 2u) << "events 3 and 4 are resent";
	EXPECT_EQ(resent[0]["event"]["value"], 3);
	EXPECT_EQ(resent[1]["event"]["value"], 4);
	std::vector<json> stored = Stored(fake);
	ASSERT_EQ(stored.size(), 4u);
	EXPECT_EQ(stored[0]["event"]["value"], 0);
	EXPECT_EQ(stored[1]["event"]["value"], 1);
	EXPECT_EQ(stored[2]["event"]["value"], 3);
}

// §3.8 check 4: 503 code 9 is a retry (with Retry-After); a wrong token is a retry that says
// what to fix, one request per attempt (the engine's backoff paces the attempts).
TEST(SplunkSink, BusyIsARetryAndAnInvalidTokenDoesNotStorm) {
	FakeServerProcess fake = Hec();
	auto hec = SplunkSinkFor(ConfigFor(fake));
	fake.Post("/_fake/inject",
	          {{"status", 503}, {"code", 9}, {"text", "Server is busy"}, {"retry_after", "3"}});
	sink::Batch batch = Envelopes(3);
	sink::Outcome busy = hec->Deliver(batch);
	EXPECT_EQ(busy.status, sink::Outcome::Status::kRetry);
	EXPECT_EQ(busy.retry_after_ms, 3000);
	EXPECT_NE(busy.error.find("Server is busy"), std::string::npos) << busy.error;
	EXPECT_EQ(hec->Deliver(batch).status, sink::Outcome::Status::kDelivered);

	FakeServerProcess other = Hec();
	auto wrong = SplunkSinkFor(ConfigFor(other), "00000000-0000-0000-0000-000000000000");
	sink::Outcome refused = wrong->Deliver(batch);
	EXPECT_EQ(refused.status, sink::Outcome::Status::kRetry);
	EXPECT_NE(refused.error.find("HTTP 403"), std::string::npos) << refused.error;
	EXPECT_NE(refused.error.find("secrets.token"), std::string::npos) << refused.error;
	EXPECT_EQ(refused.error.find("00000000-0000-0000-0000-000000000000"), std::string::npos)
	    << "no token in logs";
	EXPECT_EQ(Requests(other).size(), 1u) << "one request per attempt";
	EXPECT_TRUE(Stored(other).empty());
}

// §3.8 check 5.
TEST(SplunkSink, MetricFormatHasNumericMetricNamesOnly) {
	FakeServerProcess fake = Hec();
	auto hec = SplunkSinkFor(ConfigFor(fake, {{"format", "metric"}, {"compression", "none"}}));
	MeasurementEnvelope env = Canonical();
	(*env.mutable_data(0)->mutable_fields())["state"] = Str("streaming");
	MeasurementEnvelope strings_only =
	    Envelope("db1", "settings", {}, {{{"epoch_ns", Num(kCanonicalEpoch)}, {"name", Str("x")}}});
	sink::Outcome outcome = hec->Deliver(BatchOf({env, strings_only}));
	ASSERT_EQ(outcome.status, sink::Outcome::Status::kDelivered) << outcome.error;
	std::vector<json> requests = Requests(fake);
	ASSERT_EQ(requests.size(), 1u);
	EXPECT_EQ(requests[0]["headers"].count("Content-Encoding"), 0u);
	std::vector<json> events = Events(requests[0]["body"]);
	ASSERT_EQ(events.size(), 1u) << "a row without numbers gives no metric event";
	EXPECT_EQ(events[0],
	          json::parse(R"({"time":1795462940.000,"event":"metric","host":"db1","source":"pgwatch",
	                                     "sourcetype":"pgwatch:wal",
	                                     "fields":{"dbname":"db1","env":"prod","sys_id":"7",
	                                               "metric_name:wal.xlog_location_b":100,
	                                               "metric_name:wal.in_recovery_int":0}})"));
}

TEST(SplunkSink, AcknowledgementOffAtTheCollectorMeansHttp200IsDelivered) {
	FakeServerProcess fake = Hec();
	auto hec = SplunkSinkFor(ConfigFor(fake, {{"use_ack", true},
	                                          {"channel", "0b5e3b5a-6c1d-4f7e-9a2b-3c4d5e6f7a8b"},
	                                          {"endpoint", fake.Url("/services/collector")}}));
	ASSERT_EQ(hec->Deliver(Envelopes(2)).status, sink::Outcome::Status::kDelivered);
	std::vector<json> requests = Requests(fake);
	ASSERT_EQ(requests.size(), 1u) << "no ackId in the answer: nothing to poll";
	EXPECT_EQ(requests[0]["path"], "/services/collector");
	EXPECT_EQ(requests[0]["headers"]["X-Splunk-Request-Channel"], "0b5e3b5a-6c1d-4f7e-9a2b-3c4d5e6f7a8b");
}

TEST(SplunkChannel, IsAStableGuidPerSinkName) {
	std::string a = sinks::DeriveChannel("hec");
	EXPECT_TRUE(sinks::IsChannelGuid(a)) << a;
	EXPECT_EQ(a[14], '8') << "RFC 9562 version 8";
	EXPECT_EQ(a, sinks::DeriveChannel("hec"));
	EXPECT_NE(a, sinks::DeriveChannel("hec2"));
}

TEST(SplunkKind, ValidatorNamesEveryBadKey) {
	auto validate = [](const char *config, const char *secrets) {
		return sink::ValidateSinkConfig("splunk", config, secrets);
	};
	EXPECT_TRUE(validate(R"({"endpoint": "https://splunk:8088", "use_ack": true, "ack_timeout": "5min",
	                         "ack_poll_interval": "500ms", "format": "metric", "index": "pgwatch_metrics"})",
	                     R"({"token": "abc"})")
	                .empty());
	EXPECT_TRUE(
	    validate(R"({"endpoint": "https://proxy/splunk/services/collector/event/1.0"})", R"({"token": "t"})")
	        .empty());
	auto problems = validate(R"({"endpoint": "https://splunk:8088/other", "token": "x", "ack_timeout": 60,
	                             "ack_poll_interval": "1 fortnight", "channel": "not-a-guid", "format": "raw",
	                             "index": "Main", "use_ack": "yes", "sourcetpye": "x"})",
	                         R"({"password": "p"})");
	EXPECT_NE(ProblemFor(problems, "endpoint").find("/services/collector/event"), std::string::npos);
	EXPECT_NE(ProblemFor(problems, "token").find("secrets.token"), std::string::npos);
	EXPECT_NE(ProblemFor(problems, "ack_timeout").find("duration with its unit"), std::string::npos);
	EXPECT_NE(ProblemFor(problems, "ack_poll_interval").find("duration"), std::string::npos);
	EXPECT_NE(ProblemFor(problems, "channel").find("GUID"), std::string::npos);
	EXPECT_NE(ProblemFor(problems, "format").find("\"event\" or \"metric\""), std::string::npos);
	EXPECT_NE(ProblemFor(problems, "index").find("a-z"), std::string::npos);
	EXPECT_NE(ProblemFor(problems, "use_ack").find("true or false"), std::string::npos);
	EXPECT_NE(ProblemFor(problems, "sourcetpye").find("unknown key"), std::string::npos);
	EXPECT_NE(ProblemFor(problems, "secrets.password").find("unknown secret"), std::string::npos);
	EXPECT_NE(ProblemFor(problems, "secrets.token").find("required"), std::string::npos);
	EXPECT_NE(ProblemFor(validate("{}", R"({"token": "t"})"), "endpoint").find("required"),
	          std::string::npos);
	EXPECT_NE(ProblemFor(validate(R"({"endpoint": "https://u:p@splunk"})", R"({"token": "t"})"), "endpoint")
	              .find("user info"),
	          std::string::npos);

	int64_t ms = 0;
	EXPECT_TRUE(sinks::ParseDuration("2 minutes", &ms));
	EXPECT_EQ(ms, 120000);
	EXPECT_TRUE(sinks::ParseDuration("250ms", &ms));
	EXPECT_EQ(ms, 250);
	EXPECT_FALSE(sinks::ParseDuration("1.5s", &ms));
	EXPECT_FALSE(sinks::ParseDuration("s", &ms));
}
