// The file sink at run time (SINKS.md §14.2): measurement rows as JSON Lines or CSV in a
// local directory, written durably (file_store.hpp) so that the delivery cursor moves only
// after the rows are on disk, and exactly once across crashes. Runs in a delivery child.
#pragma once
#include "core/core_only.hpp"
#include "core/sink/sink.hpp"
#include "sinks/file/file_kind.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace pgwatch_rpc::delivery {
struct SinkContext;
}

namespace pgwatch_rpc::sinks {

// CreateFileSink builds the sink from its context. Throws std::invalid_argument if the
// config is invalid. It touches no file: the first Deliver does, so a directory that cannot
// be written becomes a retry with the reason, not a failure to start.
std::unique_ptr<sink::Sink> CreateFileSink(const delivery::SinkContext &context);

// MakeFileSink is CreateFileSink with the wall clock (unix seconds) replaced, for tests of
// time rotation and retention.
std::unique_ptr<sink::Sink> MakeFileSink(const std::string &sink_name, FileSettings settings,
                                         std::function<int64_t()> now_s);

} // namespace pgwatch_rpc::sinks
