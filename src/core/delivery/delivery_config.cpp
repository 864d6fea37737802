// Parsing and validation of the delivery engine's config keys (delivery_config.hpp). Pure:
// no I/O, no threads; it is linked into the extension (rpc_sink_add validates with it) and
// into the delivery child.
#include "core/delivery/delivery_config.hpp"

#include "core/sink/config_value.hpp"

#include <string>

namespace pgwatch_rpc::delivery {
namespace {

// The glob keys and where each one lands.
struct GlobKey {
	std::string_view name;
	std::vector<std::string> DeliveryConfig::*field;
};
constexpr GlobKey kGlobKeys[] = {
    {"include_metrics", &DeliveryConfig::include_metrics},
    {"exclude_metrics", &DeliveryConfig::exclude_metrics},
    {"include_sources", &DeliveryConfig::include_sources},
    {"exclude_sources", &DeliveryConfig::exclude_sources},
};

// The integer keys with their allowed ranges. The bounds keep batches within what a child
// can hold in memory and delays within what an operator would mean.
struct IntegerKey {
	std::string_view name;
	int64_t DeliveryConfig::*field;
	int64_t min;
	int64_t max;
};
constexpr IntegerKey kIntegerKeys[] = {
    {"max_batch_rows", &DeliveryConfig::max_batch_rows, 1, 1'000'000},
    {"max_batch_bytes", &DeliveryConfig::max_batch_bytes, 1024, int64_t{1} << 30},
    {"flush_interval_ms", &DeliveryConfig::flush_interval_ms, 0, 3'600'000},
    {"max_retries", &DeliveryConfig::max_retries, 0, 1'000'000},
    {"backoff_base_ms", &DeliveryConfig::backoff_base_ms, 1, 3'600'000},
    {"backoff_max_ms", &DeliveryConfig::backoff_max_ms, 1, 86'400'000},
};

void ParseGlobs(const GlobKey &key, const nlohmann::json &value, DeliveryConfig *out,
                std::vector<sink::ConfigProblem> *problems) {
	const std::string name(key.name);
	if (!value.is_array()) {
		problems->push_back({name, "must be an array of glob patterns such as [\"db_*\"], not " + value.dump()});
		return;
	}
	std::vector<std::string> patterns;
	for (size_t i = 0; i < value.size(); i++) {
		const nlohmann::json &item = value[i];
		std::string item_key = name + "[" + std::to_string(i) + "]";
		if (!item.is_string())
			problems->push_back({item_key, "must be a glob pattern (a string), not " + item.dump()});
		else if (item.get_ref<const std::string &>().empty())
			problems->push_back({item_key, "must not be empty"});
		else
			patterns.push_back(item.get<std::string>());
	}
	out->*key.field = std::move(patterns);
}

} // namespace

bool IsEngineKey(std::string_view key) {
	for (const GlobKey &g : kGlobKeys)
		if (g.name == key)
			return true;
	for (const IntegerKey &k : kIntegerKeys)
		if (k.name == key)
			return true;
	return false;
}

void ParseDeliveryConfig(const nlohmann::json &config, DeliveryConfig *out,
                         std::vector<sink::ConfigProblem> *problems) {
	*out = DeliveryConfig{};
	if (!config.is_object())
		return;
	for (const GlobKey &key : kGlobKeys) {
		auto it = config.find(std::string(key.name));
		if (it != config.end())
			ParseGlobs(key, *it, out, problems);
	}
	for (const IntegerKey &key : kIntegerKeys) {
		auto it = config.find(std::string(key.name));
		if (it == config.end())
			continue;
		int64_t value = 0;
		if (!sink::ReadBoundedInteger(*it, key.min, key.max, &value)) {
			problems->push_back({std::string(key.name), "must be an integer between " + std::to_string(key.min) +
			                                                 " and " + std::to_string(key.max) + ", not " +
			                                                 it->dump()});
			continue;
		}
		out->*key.field = value;
	}
	if (out->backoff_base_ms > out->backoff_max_ms)
		problems->push_back({"backoff_max_ms", "must be at least backoff_base_ms (" +
		                                           std::to_string(out->backoff_base_ms) + "), not " +
		                                           std::to_string(out->backoff_max_ms)});
}

} // namespace pgwatch_rpc::delivery
