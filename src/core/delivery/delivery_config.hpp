// The delivery engine's own config keys, common to every sink (SINKS.md §0.2): routing
// (glob patterns on metric and source names), batch bounds, retry policy. They live in the
// same JSON object as the sink's own keys (rpc_sink_add's config).
#pragma once
#include "core/core_only.hpp"
#include "core/sink/sink_kind.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pgwatch_rpc::delivery {

struct DeliveryConfig {
	std::vector<std::string> include_metrics; // empty = all; fnmatch globs
	std::vector<std::string> exclude_metrics;
	std::vector<std::string> include_sources; // DBName
	std::vector<std::string> exclude_sources;
	int64_t max_batch_rows = 5000;        // measurement rows per batch
	int64_t max_batch_bytes = 8 << 20;    // payload bytes per batch
	int64_t flush_interval_ms = 950;      // linger: pgwatch's --batching-delay
	int64_t max_retries = 0;              // 0 = retry for ever (the spool has room)
	int64_t backoff_base_ms = 500;
	int64_t backoff_max_ms = 60000;
};

// IsEngineKey: whether a config key belongs to the engine (sink validators skip these).
bool IsEngineKey(std::string_view key);

// ParseDeliveryConfig reads the engine keys of `config` into *out (defaults for absent keys)
// and appends a problem per bad value (wrong type, out of range, empty pattern).
void ParseDeliveryConfig(const nlohmann::json &config, DeliveryConfig *out,
                         std::vector<sink::ConfigProblem> *problems);

} // namespace pgwatch_rpc::delivery
