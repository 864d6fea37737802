// Per-connection HTTP/2 limits (GRPC.md §4, §11, §13), derived from the listener settings.
#pragma once
#include "core/core_only.hpp"
#include "core/wire/limits.hpp"

#include <cstddef>
#include <cstdint>

namespace pgwatch_rpc::h2 {

struct SessionConfig {
	uint32_t max_concurrent_streams = 32;
	size_t max_message_size = 64u << 20;
	wire::Limits limits;
	int64_t request_timeout_us = 30'000'000; // HEADERS → END_STREAM
	uint32_t max_header_list_bytes = 16384;  // advertised and enforced in on_header
	int32_t stream_window = 1 << 20;         // INITIAL_WINDOW_SIZE
	int32_t connection_window = 16 << 20;    // stream 0 is not covered by SETTINGS
	// Stream resets a client may cause per connection (nghttp2's rapid reset limiter).
	uint64_t reset_burst = 200;
	uint64_t reset_rate_per_s = 20;
	// PING enforcement, as grpc-go's server defaults (GRPC.md §11).
	int64_t ping_min_interval_us = 300'000'000;
	bool ping_permit_without_calls = false;
	int max_ping_strikes = 2;
	// Glitches (protocol errors, invalid frames, cancels) allowed per connection before it
	// is closed with ENHANCE_YOUR_CALM: a bucket of glitch_burst refilled at glitch_rate_per_s.
	double glitch_burst = 200;
	double glitch_rate_per_s = 20;
};

} // namespace pgwatch_rpc::h2
