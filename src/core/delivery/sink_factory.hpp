// The runtime half of the sink registry (core/sink/registry.hpp holds the validators): how
// a delivery child builds the sink of a kind. Binary only: sinks may use the network.
#pragma once
#include "core/core_only.hpp"
#include "core/delivery/delivery_config.hpp"
#include "core/delivery/sink_context.hpp"
#include "core/delivery/sink_definition.hpp"
#include "core/sink/sink.hpp"

#include <memory>
#include <string>

namespace pgwatch_rpc::delivery {

// CreateSink builds the sink of `kind` from its context. Throws std::invalid_argument for
// an unknown kind or a config the kind refuses (the message names the keys).
std::unique_ptr<sink::Sink> CreateSink(std::string_view kind, const SinkContext &context);

// BuildSink validates a sink's definition and builds it, as the deliver and test-sink
// children do. On a bad configuration it returns nullptr with *problem naming every bad key;
// otherwise *config holds the engine's settings. The sink waits through `waiter` (which must
// outlive it): a process that reads its stop requests passes the waiter that sees them.
std::unique_ptr<sink::Sink> BuildSink(const std::string &sink_name, const SinkDefinition &definition,
                                      const std::string &hub_dsn, DeliveryConfig *config,
                                      std::string *problem, sink::Waiter &waiter = sink::PlainWaiter());

} // namespace pgwatch_rpc::delivery
