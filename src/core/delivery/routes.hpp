// Routing of spool records to a sink by the engine's include/exclude globs on the metric
// and source (DBName) names (SINKS.md §0.2, delivery_config.hpp).
#pragma once
#include "core/core_only.hpp"
#include "core/delivery/delivery_config.hpp"
#include "core/sink/sink.hpp"

namespace pgwatch_rpc::delivery {

// GlobMatches: whether name matches any of the fnmatch(3) patterns.
bool GlobMatches(const std::vector<std::string> &patterns, const std::string &name);

// Routed decides whether a record goes to the sink: a name passes when the include list is
// empty or matches it, and the exclude list does not. Define records describe many metrics
// at once, so only control-record wishes apply to them, not the globs.
bool Routed(const DeliveryConfig &config, bool wants_control, const sink::Record &record);

} // namespace pgwatch_rpc::delivery
