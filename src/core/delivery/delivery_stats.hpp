// DeliveryStats: the counters and state a delivery child reports in
// pgwatch_rpc.sink_status (stats jsonb), shown by rpc_stat_sinks.
#pragma once
#include "core/core_only.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace pgwatch_rpc::delivery {

enum class SinkState { kRunning, kBackingOff, kFailingConfig };

// SinkStateName: the sink_status.state text ("running", "backing_off", "failing_config").
const char *SinkStateName(SinkState state);

struct DeliveryStats {
	int64_t delivered_envelopes = 0;
	int64_t delivered_rows = 0;
	int64_t retries = 0;
	int64_t dead_letters = 0;
	int64_t skipped_envelopes = 0; // routed away, or control records the sink does not want
	int64_t last_success_at_us = 0; // wall clock; 0 = never
	std::string last_error;
	int64_t last_error_at_us = 0;
	int64_t backoff_until_us = 0; // wall clock; 0 = not backing off
};

// StatsJson renders the stats with the keys of sink_status.stats; times as ISO 8601 UTC or
// null when unset.
nlohmann::json StatsJson(const DeliveryStats &stats);

} // namespace pgwatch_rpc::delivery
