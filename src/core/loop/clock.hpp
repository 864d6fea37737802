// Time sources for the listener's event loop: a monotonic clock for deadlines and timers,
// and the wall clock for timestamps shown to users (key expiry, status rows).
#pragma once
#include "core/core_only.hpp"

#include <cstdint>
#include <string>

namespace pgwatch_rpc::loop {

// MonotonicMicros: CLOCK_MONOTONIC in microseconds; never jumps with the wall clock.
int64_t MonotonicMicros();

// WallMicros: CLOCK_REALTIME in microseconds since the Unix epoch.
int64_t WallMicros();

// FormatIso8601: a wall-clock time as "2024-05-01T12:34:56.789012Z" (UTC), which
// PostgreSQL's timestamptz input and JSON consumers both accept.
std::string FormatIso8601(int64_t wall_us);

} // namespace pgwatch_rpc::loop
