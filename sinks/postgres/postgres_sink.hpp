// The postgres sink at run time (SINKS.md §1): writes measurements into pgwatch's storage
// schema with COPY, in the hub's own database (local mode, exactly-once: rows and cursor in
// one transaction) or in a remote one given by conninfo (a cursor table in the target makes
// retries after an unknown commit outcome safe). Runs in a delivery child; libpq, blocking.
#pragma once
#include "core/core_only.hpp"
#include "core/sink/sink.hpp"

#include <memory>

namespace pgwatch_rpc::delivery {
struct SinkContext;
}

namespace pgwatch_rpc::sinks {

// CreatePostgresSink builds the sink from its context (config parsed by
// ParsePostgresSettings). Throws std::invalid_argument if the config is invalid. It does not
// connect: the first Deliver does, so an unreachable target becomes a retry, not a failure.
std::unique_ptr<sink::Sink> CreatePostgresSink(const delivery::SinkContext &context);

} // namespace pgwatch_rpc::sinks
