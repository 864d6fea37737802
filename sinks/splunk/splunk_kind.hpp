// The "splunk" sink kind (Splunk HTTP Event Collector, SINKS.md §3): its config keys (§3.6,
// plus the shared HTTP keys of core/http/http_config.hpp) parsed into SplunkSettings with
// their defaults, and the validator rpc_sink_add runs. Pure: no I/O, no libcurl (this file
// is linked into the extension as well as into the delivery child).
#pragma once
#include "core/core_only.hpp"
#include "core/http/http_config.hpp"
#include "core/sink/sink_kind.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pgwatch_rpc::sinks {

enum class HecFormat {
	kEvent,  // one event per row: fields in "event", tags as indexed "fields"
	kMetric, // one multi-metric event per row for a metrics index: "metric_name:<metric>.<field>"
};

struct SplunkSettings {
	std::string event_url; // where events are POSTed
	std::string ack_url;   // /services/collector/ack next to it
	std::string token;
	std::string index; // "" = the token's default index
	std::string source = "pgwatch";
	std::string sourcetype = "pgwatch:%{metric}"; // %{metric} is the row's metric
	std::string host_field = "dbname";            // "dbname", a tag's name, or "" for no host
	std::string channel;                          // "" = derived from the sink's name (hec_channel.hpp)
	bool use_ack = false;
	int64_t ack_timeout_ms = 300'000; // SINKS.md §3.2
	int64_t ack_poll_interval_ms = 1'000;
	HecFormat format = HecFormat::kEvent;
	int64_t max_content_length = int64_t{1} << 20; // request body bytes before compression (SINKS.md §3.3)
	int64_t max_events_per_request = 1000;
	http::ClientOptions http; // gzip request bodies unless compression is "none"
};

// ParseDuration reads "500ms", "30s", "5min", "1h" (also "30 s", "2 minutes") into
// milliseconds; false for anything else.
bool ParseDuration(std::string_view text, int64_t *ms);

// IsChannelGuid: 8-4-4-4-12 hexadecimal digits, the form HEC wants for a channel.
bool IsChannelGuid(std::string_view text);

// ParseSplunkSettings fills *out from config and secrets (defaults for absent keys) and
// appends a problem per unknown key or bad value. Engine keys are skipped.
void ParseSplunkSettings(const nlohmann::json &config, const nlohmann::json &secrets, SplunkSettings *out,
                         std::vector<sink::ConfigProblem> *problems);

class SplunkKind : public sink::SinkKind {
public:
	std::string_view Name() const override { return "splunk"; }
	std::string_view Summary() const override {
		return "Splunk HTTP Event Collector: one event (or multi-metric event) per row, with indexer "
		       "acknowledgement";
	}
	std::vector<sink::ConfigProblem> Validate(const nlohmann::json &config,
	                                          const nlohmann::json &secrets) const override;
	// The validator refuses the token in config; listed all the same so that rpc_sinks could
	// never show one.
	std::vector<std::string> SecretKeys() const override { return {"token"}; }
};

} // namespace pgwatch_rpc::sinks
