// The "elastic" sink kind (Elasticsearch and OpenSearch Bulk API, SINKS.md §2): its config
// keys (§2.6, plus the shared HTTP keys of core/http/http_config.hpp) parsed into
// ElasticSettings with their defaults, and the validator rpc_sink_add runs. Pure: no I/O, no
// libcurl (this file is linked into the extension as well as into the delivery child).
#pragma once
#include "core/core_only.hpp"
#include "core/http/http_config.hpp"
#include "core/http/sigv4.hpp"
#include "core/sink/sink_kind.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pgwatch_rpc::sinks {

// IndexTemplate: the `index` key, e.g. "pgwatch-%{metric}-%Y.%m.%d", cut into literal text
// and placeholders: %{metric}, %{dbname}, and the row time's UTC %Y, %m, %d, %H; %% is "%".
struct IndexTemplatePart {
	enum class Kind { kText, kMetric, kDbname, kYear, kMonth, kDay, kHour };
	Kind kind = Kind::kText;
	std::string text; // kText only
};
using IndexTemplate = std::vector<IndexTemplatePart>;

constexpr std::string_view kDefaultIndexTemplate = "pgwatch-%{metric}-%Y.%m.%d";

// ParseIndexTemplate: false with *error saying what is wrong (an unknown placeholder, text
// an index name may not contain: upper case, \ / * ? " < > | , # : space, non-ASCII).
bool ParseIndexTemplate(std::string_view text, IndexTemplate *out, std::string *error);

struct ElasticSettings {
	std::vector<std::string> hosts; // base URLs, no trailing "/"; requests rotate over them
	IndexTemplate index;            // classic indices (data_stream false)
	bool data_stream = false;       // metrics-pgwatch.<metric>-<namespace>
	std::string data_stream_namespace = "default";
	std::string username; // with password: Basic authentication
	std::string password;
	std::string api_key;                  // "id:key" or Elastic's encoded form; ApiKey authentication
	bool aws_sigv4 = false;               // sign with AWS SigV4 (Amazon OpenSearch Service or Serverless)
	http::SigV4Scope aws_scope;           // region, and service "es" (default) or "aoss"
	http::AwsCredentials aws_credentials; // from secrets; empty: the delivery process's AWS_* variables
	std::string pipeline;
	int64_t bulk_max_size = 5000;              // documents per bulk request (SINKS.md §2.2)
	int64_t bulk_max_bytes = int64_t{5} << 20; // body bytes per bulk request, before compression
	http::ClientOptions http;                  // gzip request bodies unless compression is "none"
};

// ParseElasticSettings fills *out from config and secrets (defaults for absent keys) and
// appends a problem per unknown key or bad value. Engine keys are skipped.
void ParseElasticSettings(const nlohmann::json &config, const nlohmann::json &secrets, ElasticSettings *out,
                          std::vector<sink::ConfigProblem> *problems);

class ElasticKind : public sink::SinkKind {
public:
	std::string_view Name() const override { return "elastic"; }
	std::string_view Summary() const override {
		return "Elasticsearch or OpenSearch through the Bulk API, one document per row with a deterministic "
		       "_id";
	}
	std::vector<sink::ConfigProblem> Validate(const nlohmann::json &config,
	                                          const nlohmann::json &secrets) const override;
	// The validator refuses credentials in config; listed all the same so that rpc_sinks
	// could never show one.
	std::vector<std::string> SecretKeys() const override {
		return {"password", "api_key", "aws_access_key_id", "aws_secret_access_key", "aws_session_token"};
	}
};

} // namespace pgwatch_rpc::sinks
