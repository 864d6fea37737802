// Small readers for the values of a sink's config keys, shared by the sink kinds' validators
// (pure, header-only: validators run inside PostgreSQL backends too).
#pragma once
#include "core/core_only.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>

namespace pgwatch_rpc::sink {

// ReadBoundedInteger reads an integer in [min, max]. jsonb may hand back 1000 written as 1e3
// or 1000.0, so integral floating-point numbers count; false for anything else.
inline bool ReadBoundedInteger(const nlohmann::json &value, int64_t min, int64_t max, int64_t *out) {
	int64_t number = 0;
	if (value.is_number_unsigned()) {
		if (value.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
			return false;
		number = static_cast<int64_t>(value.get<uint64_t>());
	} else if (value.is_number_integer()) {
		number = value.get<int64_t>();
	} else if (value.is_number_float()) {
		double d = value.get<double>();
		if (!std::isfinite(d) || d != std::floor(d) || d < -9.2e18 || d > 9.2e18)
			return false;
		number = static_cast<int64_t>(d);
	} else {
		return false;
	}
	if (number < min || number > max)
		return false;
	*out = number;
	return true;
}

} // namespace pgwatch_rpc::sink
