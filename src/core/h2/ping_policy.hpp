// PING strike accounting (GRPC.md §11), mirroring grpc-go's server enforcement: a PING is
// "bad" when it follows the previous one too closely without us having sent HEADERS or DATA
// in between, or when there are no active calls and pings without calls are not permitted
// (2 h floor). More than max_strikes bad pings → GOAWAY ENHANCE_YOUR_CALM "too_many_pings".
#pragma once
#include "core/core_only.hpp"

#include <cstdint>

namespace pgwatch_rpc::h2 {

class PingPolicy {
public:
	PingPolicy(int64_t min_interval_us, bool permit_without_calls, int max_strikes)
	    : min_interval_us_(min_interval_us), permit_without_calls_(permit_without_calls),
	      max_strikes_(max_strikes) {}
	// OnPing returns true when the connection must be closed with too_many_pings.
	bool OnPing(int64_t now_us, bool has_active_calls);
	// OnSentHeadersOrData: any HEADERS/DATA we send resets the count (grpc-go's BDP pings
	// follow our DATA and must stay legal).
	void OnSentHeadersOrData() {
		strikes_ = 0;
		last_ping_us_ = -1;
	}
	int strikes() const { return strikes_; }

private:
	static constexpr int64_t kNoCallsFloorUs = 7200LL * 1'000'000;
	int64_t min_interval_us_;
	bool permit_without_calls_;
	int max_strikes_;
	int strikes_ = 0;
	int64_t last_ping_us_ = -1;
};

} // namespace pgwatch_rpc::h2
