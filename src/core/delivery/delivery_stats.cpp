// Rendering of a delivery child's counters as the sink_status.stats jsonb document.
#include "core/delivery/delivery_stats.hpp"

#include "core/loop/clock.hpp"

namespace pgwatch_rpc::delivery {
namespace {
nlohmann::json TimeOrNull(int64_t wall_us) {
	if (wall_us == 0)
		return nullptr;
	return loop::FormatIso8601(wall_us);
}
} // namespace

const char *SinkStateName(SinkState state) {
	switch (state) {
	case SinkState::kRunning:
		return "running";
	case SinkState::kBackingOff:
		return "backing_off";
	case SinkState::kFailingConfig:
		return "failing_config";
	}
	return "running";
}

nlohmann::json StatsJson(const DeliveryStats &stats) {
	nlohmann::json doc = nlohmann::json::object();
	doc["delivered_envelopes"] = stats.delivered_envelopes;
	doc["delivered_rows"] = stats.delivered_rows;
	doc["retries"] = stats.retries;
	doc["dead_letters"] = stats.dead_letters;
	doc["skipped_envelopes"] = stats.skipped_envelopes;
	doc["last_success_at"] = TimeOrNull(stats.last_success_at_us);
	doc["last_error"] = stats.last_error.empty() ? nlohmann::json(nullptr) : nlohmann::json(stats.last_error);
	doc["last_error_at"] = TimeOrNull(stats.last_error_at_us);
	doc["backoff_until"] = TimeOrNull(stats.backoff_until_us);
	return doc;
}

} // namespace pgwatch_rpc::delivery
