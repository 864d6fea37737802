// Retry delays of the delivery engine: exponential backoff with full jitter (SINKS.md §0.2),
// never shorter than what the target asked for (Retry-After).
#pragma once
#include "core/core_only.hpp"

#include <cstdint>
#include <functional>

namespace pgwatch_rpc::delivery {

// A target's Retry-After is honoured up to this long; a longer one is likely an error.
constexpr int64_t kMaxRetryAfterMs = 3'600'000;

// RandomBelow returns a uniformly distributed integer in [0, bound).
using RandomBelow = std::function<uint64_t(uint64_t bound)>;

// BackoffDelayMs: the wait before retry number `failures` (1 for the first retry): a random
// value in [0, min(max_ms, base_ms * 2^(failures-1))], raised to retry_after_ms when that is
// larger (-1 = none; capped at kMaxRetryAfterMs).
int64_t BackoffDelayMs(int64_t base_ms, int64_t max_ms, int64_t failures, int64_t retry_after_ms,
                       const RandomBelow &random_below);

// DefaultRandom: a RandomBelow backed by a per-process seeded generator.
RandomBelow DefaultRandom();

} // namespace pgwatch_rpc::delivery
