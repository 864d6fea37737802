// Call counters of one listener process, shared by all connections and reported in
// listener_status (issue #2: calls by method and status, auth failures).
#pragma once
#include "core/core_only.hpp"
#include "core/grpc/status.hpp"
#include "core/h2/call.hpp"

#include <array>
#include <cstdint>

namespace pgwatch_rpc::h2 {

constexpr int kStatusCount = 17;

struct CallStats {
	std::array<std::array<uint64_t, kStatusCount>, kMethodCount> calls{};
	uint64_t auth_failures = 0;
	uint64_t glitches = 0;
	void Count(Method method, grpc::StatusCode code) {
		int c = static_cast<int>(code);
		int m = MethodIndex(method);
		if (c >= 0 && c < kStatusCount && m >= 0 && m < kMethodCount)
			calls[m][c]++;
	}
};

} // namespace pgwatch_rpc::h2
