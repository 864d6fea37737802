// Per-peer throttle of failed authentications (DESIGN.md §6, GRPC.md §7): after repeated
// failures from one address, further attempts are refused before any hash is computed,
// and log lines about them are rate limited. Memory is bounded: windows expire and at most
// max_peers addresses are tracked at once.
#pragma once
#include "core/core_only.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>

namespace pgwatch_rpc::auth {

class FailureThrottle {
public:
	FailureThrottle(int max_failures = 20, int64_t window_us = 60'000'000, size_t max_peers = 100'000)
	    : max_failures_(max_failures), window_us_(window_us), max_peers_(max_peers) {}

	// Blocked: the peer has failed more than max_failures times in the current window.
	bool Blocked(const std::string &peer, int64_t now_us);
	// RecordFailure returns true when this failure should be logged (first of a window,
	// then once per window) so an attacker cannot flood the server log.
	bool RecordFailure(const std::string &peer, int64_t now_us);
	void RecordSuccess(const std::string &peer);

	size_t tracked_peers() const { return peers_.size(); }

private:
	struct Window {
		int64_t start_us = 0;
		int failures = 0;
		bool logged = false;
	};
	void Expire(int64_t now_us);
	int max_failures_;
	int64_t window_us_;
	size_t max_peers_;
	int64_t last_expire_us_ = 0;
	std::unordered_map<std::string, Window> peers_;
};

} // namespace pgwatch_rpc::auth
