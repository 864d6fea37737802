// grpc-timeout grammar and saturating conversion (see timeout.hpp).
#include "core/grpc/timeout.hpp"
#include "core/text/ascii.hpp"

#include <cstdint>

namespace pgwatch_rpc::grpc {

namespace {

// Nanoseconds per unit; 0 = not a unit.
int64_t UnitNanos(char unit) {
	switch (unit) {
	case 'H':
		return 3600LL * 1000 * 1000 * 1000;
	case 'M':
		return 60LL * 1000 * 1000 * 1000;
	case 'S':
		return 1000LL * 1000 * 1000;
	case 'm':
		return 1000LL * 1000;
	case 'u':
		return 1000;
	case 'n':
		return 1;
	default:
		return 0;
	}
}

} // namespace

GrpcTimeout ParseGrpcTimeout(std::optional<std::string_view> header, std::chrono::nanoseconds max_timeout) {
	GrpcTimeout result;
	if (!header.has_value())
		return result;
	result.outcome = TimeoutOutcome::kMalformed;
	std::string_view s = text::TrimBlanks(*header);
	if (s.size() < 2 || s.size() > 9)
		return result;
	int64_t unit = UnitNanos(s.back());
	if (unit == 0)
		return result;
	int64_t amount = 0;
	for (char c : s.substr(0, s.size() - 1)) {
		if (c < '0' || c > '9')
			return result;
		amount = amount * 10 + (c - '0'); // at most 8 digits: no overflow
	}
	int64_t max_ns = max_timeout.count();
	// Saturate: amount * unit can exceed int64 (99999999H is ~3.6e20 ns).
	int64_t ns = amount > max_ns / unit ? max_ns : amount * unit;
	result.outcome = TimeoutOutcome::kOk;
	result.value = std::chrono::nanoseconds(ns < max_ns ? ns : max_ns);
	return result;
}

} // namespace pgwatch_rpc::grpc
