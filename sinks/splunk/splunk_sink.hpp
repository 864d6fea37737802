// The splunk sink at run time (SINKS.md §3): the rows of a batch as HEC events, POSTed as
// concatenated JSON objects over the shared HTTP client, with indexer acknowledgement when
// use_ack is on (a batch counts as delivered only once /services/collector/ack says so).
// What is retried and what is dead-lettered is in sinks/splunk/README.md. Runs in a
// delivery child.
#pragma once
#include "core/core_only.hpp"
#include "core/sink/sink.hpp"

#include <memory>

namespace pgwatch_rpc::delivery {
struct SinkContext;
}

namespace pgwatch_rpc::sinks {

// CreateSplunkSink builds the sink from its context (config parsed by ParseSplunkSettings).
// Throws std::invalid_argument if the config is invalid. It does not connect: an
// unreachable collector is a retry of the first Deliver, not a failure to start.
std::unique_ptr<sink::Sink> CreateSplunkSink(const delivery::SinkContext &context);

} // namespace pgwatch_rpc::sinks
