// grpc-timeout parsing (GRPC.md §6): 1-8 ASCII digits and a unit H/M/S/m/u/n.
// Surrounding spaces are tolerated (grpc-js does); signs, decimal points, inner spaces,
// nine digits and unknown units are malformed (the call gets INTERNAL). Values saturate
// instead of overflowing (99999999H does not fit int64 nanoseconds) and are clamped.
#pragma once
#include "core/core_only.hpp"

#include <chrono>
#include <optional>
#include <string_view>

namespace pgwatch_rpc::grpc {

// A client deadline is never trusted to bound our work (pgwatch sends none); longer ones
// are cut to this.
constexpr std::chrono::nanoseconds kMaxGrpcTimeout = std::chrono::hours(24 * 30);

enum class TimeoutOutcome {
	kAbsent,    // no grpc-timeout header: no client deadline
	kOk,        // value holds the timeout (0 means already expired: DEADLINE_EXCEEDED)
	kMalformed, // reply INTERNAL
};

struct GrpcTimeout {
	TimeoutOutcome outcome = TimeoutOutcome::kAbsent;
	std::chrono::nanoseconds value{0};
};

// ParseGrpcTimeout parses the header value (std::nullopt = header absent), clamping the
// result to max_timeout.
GrpcTimeout ParseGrpcTimeout(std::optional<std::string_view> header,
                             std::chrono::nanoseconds max_timeout = kMaxGrpcTimeout);

} // namespace pgwatch_rpc::grpc
