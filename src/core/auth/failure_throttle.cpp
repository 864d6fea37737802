// Fixed-window failure counting per peer address. A window starts at a peer's first
// failure and lasts window_us; within it the peer is blocked once it exceeds max_failures,
// and only its first failure is reported for logging.
#include "core/auth/failure_throttle.hpp"

namespace pgwatch_rpc::auth {

bool FailureThrottle::Blocked(const std::string &peer, int64_t now_us) {
	auto it = peers_.find(peer);
	if (it == peers_.end())
		return false;
	if (now_us - it->second.start_us >= window_us_) {
		peers_.erase(it);
		return false;
	}
	return it->second.failures > max_failures_;
}

bool FailureThrottle::RecordFailure(const std::string &peer, int64_t now_us) {
	// Sweeping at most once per window keeps the cost amortised O(1) per failure.
	if (now_us - last_expire_us_ >= window_us_)
		Expire(now_us);
	auto it = peers_.find(peer);
	if (it == peers_.end()) {
		if (peers_.size() >= max_peers_) {
			Expire(now_us);
			// Still full: an address flood. Do not grow and do not log each of them; the
			// tracked peers keep being throttled.
			if (peers_.size() >= max_peers_)
				return false;
		}
		it = peers_.emplace(peer, Window{now_us, 0, false}).first;
	} else if (now_us - it->second.start_us >= window_us_) {
		it->second = Window{now_us, 0, false};
	}
	Window &window = it->second;
	if (window.failures < max_failures_ + 1)
		window.failures++;
	if (window.logged)
		return false;
	window.logged = true;
	return true;
}

void FailureThrottle::RecordSuccess(const std::string &peer) {
	peers_.erase(peer);
}

void FailureThrottle::Expire(int64_t now_us) {
	last_expire_us_ = now_us;
	for (auto it = peers_.begin(); it != peers_.end();) {
		if (now_us - it->second.start_us >= window_us_)
			it = peers_.erase(it);
		else
			++it;
	}
}

} // namespace pgwatch_rpc::auth
