// The webhook sink's conformance harness: test/fakes/fake_webhook.py, which keeps the row
// documents it accepts, honours Idempotency-Key, can be taken down (503 echoing the request
// headers, credentials included) and told to refuse a metric (422). Batches cut differently
// after a restart carry new keys, so a receiver may store those rows twice: with the same
// row ids, by which a reader removes them.
#include "conformance_fake_target.hpp"

#include "core/http/credentials.hpp"

namespace pgwatch_rpc::conformance {
namespace {

constexpr const char *kPassword = "webhook-conformance-password";

class WebhookTarget : public FakeTarget {
public:
	WebhookTarget() : FakeTarget("fake_webhook.py", {"--port", "0"}) {}
	nlohmann::json Config() const override {
		return {{"url", fake_.Url("/ingest")},
		        {"format", "ndjson"},
		        {"username", "pgwatch"},
		        {"timeout_ms", 10000},
		        {"proxy", ""}};
	}
	nlohmann::json Secrets() const override { return {{"password", kPassword}}; }
	std::vector<std::string> SensitiveValues() const override {
		return {http::BasicAuthorization("pgwatch", kPassword)};
	}

	std::vector<std::string> StoredRowIds() override { return StoredStrings("/_fake/rows", "", "/row_id"); }
};

const HarnessRegistration kWebhook{
    {"webhook", Redelivery::kSameRowIds, [] { return std::make_unique<WebhookTarget>(); }}};

} // namespace
} // namespace pgwatch_rpc::conformance
