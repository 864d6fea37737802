// Unit-aware number parsing and formatting for the settings file. Every multiplication is
// overflow-checked: a typo like "9999999TB" is an error, never a wrapped small number.
#include "core/config/value_units.hpp"
#include "core/text/ascii.hpp"

#include <cctype>
#include <limits>

namespace pgwatch_rpc::config {

namespace {

struct Unit {
	std::string_view name;
	int64_t factor;
};

constexpr Unit kSizeUnits[] = {{"TB", int64_t{1} << 40},
                               {"GB", int64_t{1} << 30},
                               {"MB", int64_t{1} << 20},
                               {"kB", int64_t{1} << 10},
                               {"B", 1}};
// In microseconds.
constexpr Unit kTimeUnits[] = {{"d", 86'400'000'000}, {"h", 3'600'000'000}, {"min", 60'000'000},
                               {"s", 1'000'000},      {"ms", 1'000},        {"us", 1}};

// SplitNumber parses leading decimal digits into *number and leaves the rest (trimmed) in
// *unit. False when there are no digits or the number does not fit in int64.
bool SplitNumber(std::string_view text, int64_t *number, std::string_view *unit) {
	text = text::TrimSpace(text);
	size_t i = 0;
	int64_t value = 0;
	while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
		int digit = text[i] - '0';
		if (value > (std::numeric_limits<int64_t>::max() - digit) / 10)
			return false;
		value = value * 10 + digit;
		i++;
	}
	if (i == 0)
		return false;
	*number = value;
	*unit = text::TrimSpace(text.substr(i));
	return true;
}

bool Multiply(int64_t a, int64_t b, int64_t *out) {
	if (a != 0 && b > std::numeric_limits<int64_t>::max() / a)
		return false;
	*out = a * b;
	return true;
}

template <size_t N> std::string FormatWithUnits(int64_t value, const Unit (&units)[N]) {
	if (value == 0)
		return "0";
	for (const Unit &unit : units) {
		if (value % unit.factor == 0)
			return std::to_string(value / unit.factor) + std::string(unit.name);
	}
	return std::to_string(value);
}

} // namespace

bool ParseSize(std::string_view text, int64_t *bytes) {
	int64_t number;
	std::string_view unit;
	if (!SplitNumber(text, &number, &unit))
		return false;
	if (unit.empty()) {
		*bytes = number;
		return true;
	}
	for (const Unit &candidate : kSizeUnits) {
		if (unit == candidate.name)
			return Multiply(number, candidate.factor, bytes);
	}
	return false;
}

bool ParseDuration(std::string_view text, int64_t unit_us, int64_t *value) {
	int64_t number;
	std::string_view unit;
	if (!SplitNumber(text, &number, &unit))
		return false;
	if (unit.empty()) {
		*value = number;
		return true;
	}
	for (const Unit &candidate : kTimeUnits) {
		if (unit != candidate.name)
			continue;
		int64_t micros;
		if (!Multiply(number, candidate.factor, &micros) || micros % unit_us != 0)
			return false;
		*value = micros / unit_us;
		return true;
	}
	return false;
}

bool ParseBool(std::string_view text, bool *value) {
	std::string lower;
	for (char c : text::TrimSpace(text))
		lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
	if (lower == "on" || lower == "true" || lower == "yes" || lower == "1") {
		*value = true;
		return true;
	}
	if (lower == "off" || lower == "false" || lower == "no" || lower == "0") {
		*value = false;
		return true;
	}
	return false;
}

std::string FormatSize(int64_t bytes) {
	return FormatWithUnits(bytes, kSizeUnits);
}

std::string FormatDuration(int64_t value, int64_t unit_us) {
	int64_t micros;
	if (!Multiply(value, unit_us, &micros))
		return std::to_string(value);
	return FormatWithUnits(micros, kTimeUnits);
}

} // namespace pgwatch_rpc::config
