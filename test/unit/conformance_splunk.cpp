// The splunk sink's conformance harness: test/fakes/fake_splunk_hec.py, a fake HEC written from
// SINKS.md §3 with indexer acknowledgement on, which keeps the events it accepts, can be taken
// down (503 code 9) and told to refuse a metric (400 code 6 at that event). Splunk has no
// idempotent write: events delivered again after a restart are stored again, with the same
// row ids (the event's "id"), by which a search removes them.
#include "conformance_fake_target.hpp"

namespace pgwatch_rpc::conformance {
namespace {

constexpr const char *kToken = "5c1f3e0a-0c2b-4d59-b1a6-conformance0";

class SplunkTarget : public FakeTarget {
public:
	SplunkTarget() : FakeTarget("fake_splunk_hec.py", {"--port", "0", "--token", kToken, "--ack"}) {}
	nlohmann::json Config() const override {
		return {{"endpoint", fake_.Url()},
		        {"use_ack", true},
		        {"ack_poll_interval", "20ms"},
		        {"timeout_ms", 10000},
		        {"proxy", ""}};
	}
	nlohmann::json Secrets() const override { return {{"token", kToken}}; }

	std::vector<std::string> StoredRowIds() override {
		return StoredStrings("/_fake/events", "/events", "/event/event/id");
	}
};

const HarnessRegistration kSplunk{
    {"splunk", Redelivery::kSameRowIds, [] { return std::make_unique<SplunkTarget>(); }}};

} // namespace
} // namespace pgwatch_rpc::conformance
