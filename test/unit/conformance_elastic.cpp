// The elastic sink's conformance harness: test/fakes/fake_elasticsearch.py, a fake written from
// SINKS.md §2 that keeps documents by _index and _id (409 on a second create, so a redelivery
// stores nothing twice), requires the API key, can be taken down (503) and told to refuse a
// metric (400 mapper_parsing_exception per document).
#include "conformance_fake_target.hpp"

#include "core/http/credentials.hpp"

namespace pgwatch_rpc::conformance {
namespace {

constexpr const char *kApiKey = "conformance:elastic-api-key-secret";

class ElasticTarget : public FakeTarget {
public:
	ElasticTarget()
	    : FakeTarget("fake_elasticsearch.py",
	                 {"--port", "0", "--authorization", "ApiKey " + http::Base64(kApiKey)}) {}
	nlohmann::json Config() const override {
		return {{"hosts", {fake_.Url()}}, {"timeout_ms", 10000}, {"proxy", ""}};
	}
	nlohmann::json Secrets() const override { return {{"api_key", kApiKey}}; }
	std::vector<std::string> SensitiveValues() const override { return {http::Base64(kApiKey)}; }

	std::vector<std::string> StoredRowIds() override { return StoredStrings("/_fake/docs", "/docs", "/_id"); }
};

const HarnessRegistration kElastic{
    {"elastic", Redelivery::kStoredOnce, [] { return std::make_unique<ElasticTarget>(); }}};

} // namespace
} // namespace pgwatch_rpc::conformance
