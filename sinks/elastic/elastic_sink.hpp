// The elastic sink at run time (SINKS.md §2): the rows of a batch as Bulk API `create`
// actions with deterministic _ids, sent over the shared HTTP client to the configured hosts
// in turn, with per-document results. What is retried and what is dead-lettered is in
// sinks/elastic/README.md. Runs in a delivery child.
#pragma once
#include "core/core_only.hpp"
#include "core/sink/sink.hpp"

#include <memory>

namespace pgwatch_rpc::delivery {
struct SinkContext;
}

namespace pgwatch_rpc::sinks {

// CreateElasticSink builds the sink from its context (config parsed by ParseElasticSettings).
// Throws std::invalid_argument if the config is invalid. It does not connect: an unreachable
// cluster is a retry of the first Deliver, not a failure to start.
std::unique_ptr<sink::Sink> CreateElasticSink(const delivery::SinkContext &context);

} // namespace pgwatch_rpc::sinks
