// Exponential backoff with full jitter (backoff.hpp).
#include "core/delivery/backoff.hpp"

#include <algorithm>
#include <random>

namespace pgwatch_rpc::delivery {

int64_t BackoffDelayMs(int64_t base_ms, int64_t max_ms, int64_t failures, int64_t retry_after_ms,
                       const RandomBelow &random_below) {
	int64_t ceiling = std::max<int64_t>(base_ms, 1);
	// Doubling stops at the cap, so the shift never overflows.
	for (int64_t i = 1; i < failures && ceiling < max_ms; i++)
		ceiling *= 2;
	ceiling = std::min(ceiling, std::max<int64_t>(max_ms, 1));
	int64_t delay = static_cast<int64_t>(random_below(static_cast<uint64_t>(ceiling) + 1));
	if (retry_after_ms >= 0)
		delay = std::max(delay, std::min(retry_after_ms, kMaxRetryAfterMs));
	return delay;
}

RandomBelow DefaultRandom() {
	return [generator = std::mt19937_64(std::random_device{}())](uint64_t bound) mutable -> uint64_t {
		if (bound == 0)
			return 0;
		return std::uniform_int_distribution<uint64_t>(0, bound - 1)(generator);
	};
}

} // namespace pgwatch_rpc::delivery
