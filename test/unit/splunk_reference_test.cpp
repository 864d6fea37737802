// The splunk sink against SINKS.md §3.7's format reference: the official npm splunk-logging
// 0.11.1 (test/interop/node/hec_send.js) sends the same rows to the same fake HEC
// (test/fakes/fake_splunk_hec.py), and the requests are compared: path, Authorization,
// content type and every event's metadata and event object. Differences by design are asserted
// as such and listed in sinks/splunk/README.md ("Tests and oracle"). Skipped without
// test/interop/node/node_modules (`npm ci` there).
#include "core/delivery/sink_context.hpp"
#include "fake_server_process.hpp"
#include "node_reference.hpp"
#include "sink_test_records.hpp"
#include "sinks/splunk/splunk_sink.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <strings.h>

#include <string>

namespace sink = pgwatch_rpc::sink;
using namespace pgwatch_rpc::node_test;
using namespace pgwatch_rpc::sink_test;
using nlohmann::json;
using pgwatch_rpc::http_test::FakeServerProcess;

namespace {

constexpr const char *kToken = "11111111-2222-3333-4444-555555555555";

// Header: a request header by name, whatever its case (the library's HTTP client writes
// names in lower case), or "" without it.
std::string Header(const json &request, const char *name) {
	for (const auto &[key, value] : request["headers"].items())
		if (strcasecmp(key.c_str(), name) == 0)
			return value;
	return "";
}

} // namespace

TEST(SplunkOfficialClient, EventsMatchSplunkLoggings) {
	if (!NodeModuleInstalled("splunk-logging"))
		GTEST_SKIP() << "npm ci in test/interop/node installs splunk-logging (SINKS.md §3.7's reference)";
	FakeServerProcess fake("fake_splunk_hec.py", {"--token", kToken});
	MeasurementEnvelope other = Envelope("db2", "Table Stats", {{"a", "b"}},
	                                     {{{"epoch_ns", Num(kCanonicalEpoch + 123e6)},
	                                       {"value", Num(0.5)},
	                                       {"state", Str("streaming")},
	                                       {"id", Str("reserved")},
	                                       {"tag_x", Num(1)}},
	                                      Row(3, 3600)});
	(*other.mutable_data(0)->mutable_fields())["ok"].set_bool_value(true);
	sink::Batch batch = BatchOf({Canonical(), other});
	const std::string url = fake.Url("/services/collector/event");

	pgwatch_rpc::delivery::SinkContext context;
	context.sink_name = "hec";
	context.config = {{"endpoint", url}, {"index", "pgwatch"}, {"proxy", ""}};
	context.secrets = {{"token", kToken}};
	ASSERT_EQ(pgwatch_rpc::sinks::CreateSplunkSink(context)->Deliver(batch).status,
	          sink::Outcome::Status::kDelivered);
	std::string output;
	ASSERT_EQ(RunNodeScript("hec_send.js", {url, kToken, "pgwatch"}, RecordsInput(batch), &output), 0)
	    << output;

	std::vector<json> requests = fake.Get("/_fake/requests")["requests"];
	std::vector<json> stored = fake.Get("/_fake/events")["events"];
	ASSERT_EQ(stored.size(), 6u) << "3 rows from each";
	const size_t rows = 3;
	ASSERT_EQ(requests.size(), 1 + rows) << "ours in one request; splunk-logging one per event, its default";
	const json &ours = requests[0];
	EXPECT_EQ(Header(ours, "Authorization"), std::string("Splunk ") + kToken);
	// By design: SINKS.md §3.1 names application/json; the library writes a form content type,
	// which HEC ignores. Ours is gzipped (compression), the library's not.
	EXPECT_EQ(Header(ours, "Content-Type"), "application/json");
	EXPECT_EQ(Header(ours, "Content-Encoding"), "gzip");
	EXPECT_NE(std::string(ours["body"]).find("{\"time\":1795462940.123,"), std::string::npos)
	    << "epoch seconds with milliseconds, a JSON number: " << ours["body"];
	for (size_t i = 1; i < requests.size(); i++) {
		const json &theirs = requests[i];
		EXPECT_EQ(theirs["path"], ours["path"]) << "the endpoint URL is read alike";
		EXPECT_EQ(Header(theirs, "Authorization"), Header(ours, "Authorization"));
		EXPECT_EQ(Header(theirs, "Content-Type"), "application/x-www-form-urlencoded");
		EXPECT_EQ(Header(theirs, "X-Splunk-Request-Channel"), "") << "the library knows no acknowledgement";
	}

	for (size_t i = 0; i < rows; i++) {
		SCOPED_TRACE("row " + std::to_string(i));
		json our_event = stored[i]["event"];
		json their_event = stored[rows + i]["event"];
		// By design: indexed "fields" (dbname, metric, tags) are ours only; the library's
		// metadata is time, host, source, sourcetype and index.
		ASSERT_TRUE(our_event["fields"].is_object());
		our_event.erase("fields");
		std::vector<std::string> our_keys, their_keys;
		for (const auto &[key, value] : our_event.items())
			our_keys.push_back(key);
		for (const auto &[key, value] : their_event.items())
			their_keys.push_back(key);
		EXPECT_EQ(our_keys, their_keys);
		// By design: the library writes time as a string ("1795462940.123"); ours is a number.
		ASSERT_TRUE(our_event["time"].is_number_float()) << our_event["time"];
		ASSERT_TRUE(their_event["time"].is_string()) << their_event["time"];
		EXPECT_EQ(our_event["time"].get<double>(), std::stod(their_event["time"].get<std::string>()));
		for (const char *key : {"host", "source", "sourcetype", "index"}) {
			EXPECT_TRUE(our_event[key].is_string()) << key;
			EXPECT_EQ(our_event[key], their_event[key]) << key;
		}
		EXPECT_EQ(our_event["event"], their_event["event"]) << "the event object, key order aside";
	}
}
