// Number and time formatting of the JSON documents (value_text.hpp).
#include "core/json/value_text.hpp"

#include <charconv>
#include <cmath>

namespace pgwatch_rpc::json {
namespace {

constexpr double kTwoTo63 = 9223372036854775808.0;

void AppendShortest(double value, std::chars_format format, std::string *out) {
	char buf[400]; // a fixed rendering of a double below 1e21 needs far fewer; 400 fits any
	auto res = std::to_chars(buf, buf + sizeof buf, value, format);
	out->append(buf, static_cast<size_t>(res.ptr - buf));
}

void AppendInt(int64_t value, std::string *out) {
	char buf[24];
	auto res = std::to_chars(buf, buf + sizeof buf, value);
	out->append(buf, static_cast<size_t>(res.ptr - buf));
}

// AppendDigits appends value (< 10^width) as exactly width decimal digits.
void AppendDigits(int64_t value, int width, std::string *out) {
	char buf[16];
	for (int i = width - 1; i >= 0; i--) {
		buf[i] = static_cast<char>('0' + value % 10);
		value /= 10;
	}
	out->append(buf, static_cast<size_t>(width));
}

} // namespace

void AppendJsonNumber(double value, std::string *out) {
	if (!std::isfinite(value)) {
		out->append("null");
		return;
	}
	if (value >= -kTwoTo63 && value < kTwoTo63 && value == std::trunc(value)) {
		AppendInt(static_cast<int64_t>(value), out);
		return;
	}
	AppendShortest(value, std::chars_format::general, out);
}

void AppendGoNumber(double value, std::string *out) {
	if (std::isnan(value)) {
		out->append("NaN");
		return;
	}
	if (std::isinf(value)) {
		out->append(value > 0 ? "+Inf" : "-Inf");
		return;
	}
	if (value == std::trunc(value) && std::fabs(value) < 1e21) {
		AppendShortest(value, std::chars_format::fixed, out);
		return;
	}
	// %v is strconv's 'g' with the shortest digits: exponent form when the decimal exponent
	// is below -4 or at least 6 (Go's eprec for the shortest precision), plain otherwise.
	char buf[64];
	auto res = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
	std::string_view sci(buf, static_cast<size_t>(res.ptr - buf));
	size_t e = sci.find('e') + 1;
	if (sci[e] == '+')
		e++; // from_chars takes no plus sign
	int exponent = 0;
	std::from_chars(sci.data() + e, sci.data() + sci.size(), exponent);
	if (exponent < -4 || exponent >= 6)
		out->append(sci);
	else
		AppendShortest(value, std::chars_format::fixed, out);
}

void AppendRfc3339Nanos(int64_t unix_ns, std::string *out) {
	constexpr int64_t kNsPerSecond = 1000000000, kSecondsPerDay = 86400;
	int64_t seconds = unix_ns / kNsPerSecond, nanos = unix_ns % kNsPerSecond;
	if (nanos < 0) {
		nanos += kNsPerSecond;
		seconds--;
	}
	int64_t days = seconds / kSecondsPerDay, second_of_day = seconds % kSecondsPerDay;
	if (second_of_day < 0) {
		second_of_day += kSecondsPerDay;
		days--;
	}
	// Civil date from days since 1970-01-01 in the proleptic Gregorian calendar (eras of
	// 400 years, March-based years so that the leap day ends the year).
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t day_of_era = z - era * 146097;
	int64_t year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
	int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
	int64_t month_index = (5 * day_of_year + 2) / 153; // 0 = March
	int64_t day = day_of_year - (153 * month_index + 2) / 5 + 1;
	int64_t month = month_index < 10 ? month_index + 3 : month_index - 9;
	int64_t year = year_of_era + era * 400 + (month <= 2 ? 1 : 0);

	AppendDigits(year, 4, out); // epoch_ns < 9.2e18 keeps years within 1677..2262
	out->push_back('-');
	AppendDigits(month, 2, out);
	out->push_back('-');
	AppendDigits(day, 2, out);
	out->push_back('T');
	AppendDigits(second_of_day / 3600, 2, out);
	out->push_back(':');
	AppendDigits(second_of_day / 60 % 60, 2, out);
	out->push_back(':');
	AppendDigits(second_of_day % 60, 2, out);
	out->push_back('.');
	AppendDigits(nanos, 9, out);
	out->push_back('Z');
}

} // namespace pgwatch_rpc::json
