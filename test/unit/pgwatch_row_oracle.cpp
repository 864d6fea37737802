// The postgres sink's oracle (pgwatch_row_oracle.hpp).
#include "pgwatch_row_oracle.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>

namespace pgwatch_rpc::oracle {
namespace {

using nlohmann::json;

// Decimal: |value| as its shortest round-trip significant digits and the decimal exponent of
// the first one (1234.5 is "12345", 3), found by asking printf for more digits until strtod
// reads the value back.
struct Decimal {
	std::string digits;
	int exponent = 0;
};

Decimal Shortest(double value) {
	char buf[64];
	for (int precision = 0; precision <= 17; precision++) {
		snprintf(buf, sizeof buf, "%.*e", precision, std::fabs(value));
		if (strtod(buf, nullptr) == std::fabs(value))
			break;
	}
	Decimal d;
	std::string text = buf;
	size_t e = text.find('e');
	for (size_t i = 0; i < e; i++)
		if (text[i] != '.')
			d.digits.push_back(text[i]);
	while (d.digits.size() > 1 && d.digits.back() == '0')
		d.digits.pop_back();
	d.exponent = std::atoi(text.c_str() + e + 1);
	return d;
}

std::string Sign(double value) { return std::signbit(value) ? "-" : ""; }

// Integral: an integral double with all its digits (glibc's printf is exact).
std::string Integral(double value) {
	char buf[400];
	snprintf(buf, sizeof buf, "%.0f", value);
	return buf;
}

// Plain: a non-integral value's shortest digits without an exponent.
std::string Plain(double value) {
	Decimal d = Shortest(value);
	if (d.exponent < 0)
		return Sign(value) + "0." + std::string(static_cast<size_t>(-d.exponent - 1), '0') + d.digits;
	size_t point = static_cast<size_t>(d.exponent) + 1;
	return Sign(value) + d.digits.substr(0, point) + "." + d.digits.substr(point);
}

// Exponent: Go's 'e' form of the shortest digits; min_digits is the exponent's least width.
std::string Exponent(double value, int negative_min_digits) {
	Decimal d = Shortest(value);
	std::string out = Sign(value) + d.digits.substr(0, 1);
	if (d.digits.size() > 1)
		out += "." + d.digits.substr(1);
	std::string exp = std::to_string(std::abs(d.exponent));
	int width = d.exponent < 0 ? negative_min_digits : 2;
	if (static_cast<int>(exp.size()) < width)
		exp.insert(0, static_cast<size_t>(width) - exp.size(), '0');
	return out + "e" + (d.exponent < 0 ? "-" : "+") + exp;
}

bool IsIntegral(double value) { return std::isfinite(value) && value == std::trunc(value); }

// GoJsonFloat: encoding/json's float64: plain for 1e-6 <= |x| < 1e21, else 'e' with e-7
// rather than e-07.
std::string GoJsonFloat(double value) {
	double abs = std::fabs(value);
	if (abs != 0 && (abs < 1e-6 || abs >= 1e21))
		return Exponent(value, 1);
	return IsIntegral(value) ? Integral(value) : Plain(value);
}

// GoPercentVFloat: %v of a float64, strconv's 'g' at the shortest precision: 'e' when the
// exponent is below -4 or at least 6 (an integral value below 1e21 excepted, §0.1).
std::string GoPercentVFloat(double value) {
	if (std::isnan(value))
		return "NaN";
	if (std::isinf(value))
		return value > 0 ? "+Inf" : "-Inf";
	if (IsIntegral(value) && std::fabs(value) < 1e21)
		return Integral(value);
	int exponent = Shortest(value).exponent;
	return exponent < -4 || exponent >= 6 ? Exponent(value, 2) : Plain(value);
}

bool ValidEpoch(const json &value) {
	if (!value.is_number())
		return false;
	double ns = value.get<double>();
	return std::isfinite(ns) && ns > 0 && ns < 9.2e18;
}

} // namespace

std::string GoValueString(const json &value) {
	switch (value.type()) {
	case json::value_t::string:
		return value.get<std::string>();
	case json::value_t::boolean:
		return value.get<bool>() ? "true" : "false";
	case json::value_t::number_integer:
		return std::to_string(value.get<int64_t>());
	case json::value_t::number_unsigned:
		return std::to_string(value.get<uint64_t>());
	case json::value_t::number_float:
		return GoPercentVFloat(value.get<double>());
	case json::value_t::array: {
		std::string out;
		for (size_t i = 0; i < value.size(); i++)
			out += (i > 0 ? " " : "") + GoValueString(value[i]); // an item may print as nothing
		return "[" + out + "]";
	}
	case json::value_t::object: {
		std::string out;
		for (const auto &[key, item] : value.items()) // sorted, as %v prints a map
			out += (out.empty() ? "" : " ") + key + ":" + GoValueString(item);
		return "map[" + out + "]";
	}
	default:
		return "<nil>";
	}
}

std::string GoJson(const json &value) {
	switch (value.type()) {
	case json::value_t::number_float:
		return GoJsonFloat(value.get<double>());
	case json::value_t::array: {
		std::string out;
		for (const json &item : value)
			out += (out.empty() ? "" : ",") + GoJson(item);
		return "[" + out + "]";
	}
	case json::value_t::object: {
		std::string out;
		for (const auto &[key, item] : value.items())
			out += (out.empty() ? "" : ",") + json(key).dump() + ":" + GoJson(item);
		return "{" + out + "}";
	}
	default: // strings as nlohmann escapes them: ", \, control characters, as Go's encoding/json
		return value.dump();
	}
}

std::vector<PgwatchRow> PgwatchRows(const json &envelope, int64_t received_at_us) {
	const json &data = envelope.at("Data");
	int64_t time_us = received_at_us;
	if (!data.empty() && data[0].contains("epoch_ns") && ValidEpoch(data[0]["epoch_ns"]))
		time_us = static_cast<int64_t>(data[0]["epoch_ns"].get<double>()) / 1000;
	std::vector<PgwatchRow> rows;
	for (const json &row : data) {
		std::map<std::string, std::string> tags;
		for (const auto &[key, value] : envelope.at("CustomTags").items())
			tags[key] = value.get<std::string>();
		json fields = json::object();
		for (const auto &[key, value] : row.items()) {
			if (key.compare(0, 4, "tag_") == 0)
				tags[key.substr(4)] = GoValueString(value);
			else
				fields[key] = value;
		}
		json tag_data = json::object();
		for (const auto &[key, value] : tags)
			tag_data[key] = value;
		rows.push_back({time_us, GoJson(fields), tag_data.dump()});
	}
	return rows;
}

} // namespace pgwatch_rpc::oracle
