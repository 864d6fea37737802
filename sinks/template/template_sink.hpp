// The runtime half of the skeleton (see template_kind.hpp and docs/writing-a-sink.md): what a
// delivery child runs. Only the pgwatch-rpc binary links this file, so it may use the
// network, libraries with threads, blocking calls.
#pragma once
#include "core/core_only.hpp"
#include "core/sink/sink.hpp"

#include <memory>

namespace pgwatch_rpc::delivery {
struct SinkContext;
}

namespace pgwatch_rpc::sinks {

// CreateTemplateSink is the factory registered in core/delivery/sink_factory.cpp. It parses
// the config again (the child validated it already; parsing is how the sink gets its
// settings) and throws std::invalid_argument if it is invalid. It must not connect: an
// unreachable target at start must become a retried delivery, not a child that cannot start.
std::unique_ptr<sink::Sink> CreateTemplateSink(const delivery::SinkContext &context);

} // namespace pgwatch_rpc::sinks
