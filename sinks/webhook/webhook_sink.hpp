// The webhook sink at run time (SINKS.md §14.1): one HTTP request per batch whose body is the
// batch's row documents (core/json/document.hpp, each with its deterministic "row_id"), as a
// JSON array or as NDJSON, with an Idempotency-Key derived from the batch. A 400, 413 or 422
// answer splits the batch in halves until the refused records are found; they are rejected
// and the rest is delivered. Runs in a delivery child; libcurl, blocking.
#pragma once
#include "core/core_only.hpp"
#include "core/sink/sink.hpp"

#include <memory>

namespace pgwatch_rpc::delivery {
struct SinkContext;
}

namespace pgwatch_rpc::sinks {

// CreateWebhookSink builds the sink from its context. Throws std::invalid_argument if the
// config is invalid. It does not connect: the first Deliver does.
std::unique_ptr<sink::Sink> CreateWebhookSink(const delivery::SinkContext &context);

} // namespace pgwatch_rpc::sinks
