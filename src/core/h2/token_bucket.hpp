// A token bucket used to bound per-connection "glitches" (GRPC.md §13: protocol errors,
// invalid frames, cancels, empty DATA frames); Debian 12's nghttp2 lacks 1.67's limiter.
#pragma once
#include "core/core_only.hpp"

#include <algorithm>
#include <cstdint>

namespace pgwatch_rpc::h2 {

class TokenBucket {
public:
	TokenBucket(double burst, double rate_per_s)
	    : burst_(burst), rate_per_us_(rate_per_s / 1e6), tokens_(burst) {}
	// Take one token at now_us; false when the bucket is empty (the limit is exceeded).
	bool Take(int64_t now_us) {
		if (last_us_ >= 0)
			tokens_ = std::min(burst_, tokens_ + static_cast<double>(now_us - last_us_) * rate_per_us_);
		last_us_ = now_us;
		if (tokens_ < 1)
			return false;
		tokens_ -= 1;
		return true;
	}

private:
	double burst_;
	double rate_per_us_;
	double tokens_;
	int64_t last_us_ = -1;
};

} // namespace pgwatch_rpc::h2
