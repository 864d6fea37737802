// Glob routing of records to a sink (routes.hpp).
#include "core/delivery/routes.hpp"

#include <fnmatch.h>

namespace pgwatch_rpc::delivery {
namespace {
bool Passes(const std::vector<std::string> &include, const std::vector<std::string> &exclude,
            const std::string &name) {
	if (!include.empty() && !GlobMatches(include, name))
		return false;
	return !GlobMatches(exclude, name);
}
} // namespace

bool GlobMatches(const std::vector<std::string> &patterns, const std::string &name) {
	for (const std::string &pattern : patterns)
		if (fnmatch(pattern.c_str(), name.c_str(), 0) == 0)
			return true;
	return false;
}

bool Routed(const DeliveryConfig &config, bool wants_control, const sink::Record &record) {
	switch (record.kind) {
	case sink::RecordKind::kDefine:
		return wants_control;
	case sink::RecordKind::kSync:
		if (!wants_control)
			return false;
		break;
	case sink::RecordKind::kMeasurement:
		break;
	}
	return Passes(config.include_metrics, config.exclude_metrics, record.metric) &&
	       Passes(config.include_sources, config.exclude_sources, record.dbname);
}

} // namespace pgwatch_rpc::delivery
