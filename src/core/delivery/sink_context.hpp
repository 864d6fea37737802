// SinkContext: what the deliver child knows about the sink it runs, handed to a sink kind's
// runtime factory (sink_factory.hpp) so the sink can build itself from its config.
#pragma once
#include "core/core_only.hpp"
#include "core/sink/waiter.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace pgwatch_rpc::delivery {

struct SinkContext {
	std::string sink_name;
	nlohmann::json config;  // the sink's config object (engine keys included)
	nlohmann::json secrets; // the sink's secrets object ({} when none)
	std::string hub_dsn;    // libpq conninfo of the hub database this child connects to
	// How the sink waits inside Deliver: never null, outlives the sink. The deliver child's
	// ends at a stop request; the plain one only sleeps.
	sink::Waiter *waiter = &sink::PlainWaiter();
};

} // namespace pgwatch_rpc::delivery
