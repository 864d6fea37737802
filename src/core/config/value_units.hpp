// Numbers with units in the settings file, spelled as in postgresql.conf: sizes in
// B/kB/MB/GB/TB (1024-based, case-sensitive), times in us/ms/s/min/h/d, booleans on/off.
// Parsing is exact: no rounding, no overflow, whole numbers only.
#pragma once
#include "core/core_only.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace pgwatch_rpc::config {

constexpr int64_t kMicrosPerMilli = 1000;

// ParseSize: "64MB", "64 MB", "1024" (bare = bytes). False on bad syntax or overflow.
bool ParseSize(std::string_view text, int64_t *bytes);

// ParseDuration: "30s", "500 ms", "2min"; a bare number is in units of unit_us (1 for a
// microsecond setting, 1000 for a millisecond one). The result is in units of unit_us and
// must be a whole number of them. False on bad syntax, overflow or a fractional result.
bool ParseDuration(std::string_view text, int64_t unit_us, int64_t *value);

// ParseBool: on/off/true/false/yes/no/1/0, case-insensitive.
bool ParseBool(std::string_view text, bool *value);

// FormatSize and FormatDuration use the largest unit that represents the value exactly,
// so Parse(Format(x)) == x. Zero is "0".
std::string FormatSize(int64_t bytes);
std::string FormatDuration(int64_t value, int64_t unit_us);

} // namespace pgwatch_rpc::config
