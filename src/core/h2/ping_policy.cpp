// PING strikes (see ping_policy.hpp).
#include "core/h2/ping_policy.hpp"

namespace pgwatch_rpc::h2 {

bool PingPolicy::OnPing(int64_t now_us, bool has_active_calls) {
	if (last_ping_us_ < 0) {
		last_ping_us_ = now_us;
		return false;
	}
	int64_t since = now_us - last_ping_us_;
	last_ping_us_ = now_us;
	bool bad =
	    (!has_active_calls && !permit_without_calls_ && since < kNoCallsFloorUs) || since < min_interval_us_;
	if (bad)
		strikes_++;
	return strikes_ > max_strikes_;
}

} // namespace pgwatch_rpc::h2
