// The stats object the listener upserts into pgwatch_rpc.listener_status about once a
// second, read by rpc_stat_listener (issue #2). Keys are part of the interface:
// connections, connections_total, calls{method{STATUS: n}}, rows, bytes, auth_failures,
// batches, commit_latency_ms{p50,p90,p99,max}, loop_max_ms, last_error, last_error_at.
#pragma once
#include "core/core_only.hpp"
#include "core/h2/call_stats.hpp"
#include "core/spool/writer_stats.hpp"

#include <cstdint>
#include <string>

namespace pgwatch_rpc::listener {

struct StatusInputs {
	size_t connections = 0;
	uint64_t connections_total = 0;
	const h2::CallStats *calls = nullptr;
	const spool::WriterStats *writer = nullptr;
	double loop_max_ms = 0;
};

// RenderStatusJson: one JSON object; statuses with zero calls are left out.
std::string RenderStatusJson(const StatusInputs &inputs);

} // namespace pgwatch_rpc::listener
