// The runtime half of the sink registry (core/sink/registry.hpp holds the validators): how
// a delivery child builds the sink of a kind. Binary only: sinks may use the network.
#pragma once
#include "core/core_only.hpp"
#include "core/delivery/sink_context.hpp"
#include "core/sink/sink.hpp"

#include <memory>

namespace pgwatch_rpc::delivery {

// CreateSink builds the sink of `kind` from its context. Throws std::invalid_argument for
// an unknown kind or a config the kind refuses (the message names the keys).
std::unique_ptr<sink::Sink> CreateSink(std::string_view kind, const SinkContext &context);

} // namespace pgwatch_rpc::delivery
