// The "webhook" sink kind (SINKS.md §14.1): batches of row documents POSTed (or PUT) to any
// HTTP endpoint. Its config keys parsed into WebhookSettings, and the validator rpc_sink_add
// runs. Pure: no I/O, no libcurl (this file is linked into the extension as well).
#pragma once
#include "core/core_only.hpp"
#include "core/http/http_config.hpp"
#include "core/sink/sink_kind.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace pgwatch_rpc::sinks {

// kPgwatchEnvelope: NDJSON of envelope lines, as pgwatch's jsonfile sink writes them
// (core/json/envelope_line.hpp), instead of row documents.
enum class WebhookFormat { kJsonArray, kNdjson, kPgwatchEnvelope };

struct WebhookSettings {
	std::string url; // config.url, or secrets.url when the URL itself is a credential
	bool url_is_secret = false;
	std::string method = "POST"; // POST or PUT
	WebhookFormat format = WebhookFormat::kJsonArray;
	std::string username; // Basic authentication with secrets.password
	std::string password;
	std::string bearer_token; // secrets.bearer_token: Authorization: Bearer …
	std::string hmac_secret;  // secrets.hmac_secret: sign each request (X-Pgwatch-Signature)
	http::ClientOptions http; // the shared HTTP keys (timeout_ms, headers, TLS, proxy, compression)
};

// ParseWebhookSettings fills *out from config and secrets (defaults for absent keys) and
// appends a problem per unknown key, bad value or contradiction. Engine keys are skipped.
void ParseWebhookSettings(const nlohmann::json &config, const nlohmann::json &secrets, WebhookSettings *out,
                          std::vector<sink::ConfigProblem> *problems);

class WebhookKind : public sink::SinkKind {
public:
	std::string_view Name() const override { return "webhook"; }
	std::string_view Summary() const override {
		return "batches of JSON row documents (JSON array or NDJSON) or of pgwatch's jsonfile envelope lines "
		       "sent to any HTTP endpoint";
	}
	std::vector<sink::ConfigProblem> Validate(const nlohmann::json &config,
	                                          const nlohmann::json &secrets) const override;
};

} // namespace pgwatch_rpc::sinks
