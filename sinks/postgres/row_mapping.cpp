// Row mapping of the postgres sink (see row_mapping.hpp).
#include "sinks/postgres/row_mapping.hpp"

#include "core/wire/json_text.hpp"

#include <charconv>
#include <cmath>
#include <map>

namespace pgwatch_rpc::sinks {
namespace {

constexpr std::string_view kTagPrefix = "tag_";

// ShortestScientific: the shortest round-trip digits of `value` in exponent form
// ("1.5e-07"), and its decimal exponent.
std::string ShortestScientific(double value, int *exponent) {
	char buf[64];
	auto res = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
	std::string text(buf, res.ptr);
	size_t e = text.find('e');
	*exponent = std::stoi(text.substr(e + 1));
	return text;
}

std::string ShortestFixed(double value) {
	char buf[400]; // a double below 1e21 or above 1e-7 needs far fewer digits; 400 fits any
	auto res = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed);
	return std::string(buf, res.ptr);
}

void AppendGoJsonNumber(double value, std::string *out) {
	if (!std::isfinite(value)) {
		// Go's encoding/json refuses NaN and ±Inf (pgwatch would fail the whole batch); jsonb
		// has no such numbers either, so they are kept as protojson's strings.
		wire::AppendJsonString(std::isnan(value) ? "NaN" : (value > 0 ? "Infinity" : "-Infinity"), out);
		return;
	}
	double abs = std::fabs(value);
	if (abs == 0 || (abs >= 1e-6 && abs < 1e21)) {
		out->append(ShortestFixed(value));
		return;
	}
	int exponent = 0;
	std::string text = ShortestScientific(value, &exponent);
	// encoding/json writes e-7, not e-07 (positive exponents keep their two digits).
	size_t n = text.size();
	if (n >= 4 && text[n - 4] == 'e' && text[n - 3] == '-' && text[n - 2] == '0')
		text.erase(n - 2, 1);
	out->append(text);
}

// GoFloatString: %v of a float64 (strconv 'g', shortest): exponent form when the decimal
// exponent is < -4 or >= 6, plain otherwise; integral values below 1e21 are printed as
// integers (see GoValueString).
std::string GoFloatString(double value) {
	if (std::isnan(value))
		return "NaN";
	if (std::isinf(value))
		return value > 0 ? "+Inf" : "-Inf";
	if (value == std::trunc(value) && std::fabs(value) < 1e21)
		return ShortestFixed(value);
	int exponent = 0;
	std::string sci = ShortestScientific(value, &exponent);
	if (exponent < -4 || exponent >= 6)
		return sci;
	return ShortestFixed(value);
}

void AppendGoValueString(const nlohmann::json &value, std::string *out) {
	switch (value.type()) {
	case nlohmann::json::value_t::string:
		out->append(value.get_ref<const std::string &>());
		return;
	case nlohmann::json::value_t::boolean:
		out->append(value.get<bool>() ? "true" : "false");
		return;
	case nlohmann::json::value_t::number_integer:
		out->append(std::to_string(value.get<int64_t>()));
		return;
	case nlohmann::json::value_t::number_unsigned:
		out->append(std::to_string(value.get<uint64_t>()));
		return;
	case nlohmann::json::value_t::number_float:
		out->append(GoFloatString(value.get<double>()));
		return;
	case nlohmann::json::value_t::array: {
		out->push_back('[');
		bool first = true;
		for (const auto &item : value) {
			if (!first)
				out->push_back(' ');
			first = false;
			AppendGoValueString(item, out);
		}
		out->push_back(']');
		return;
	}
	case nlohmann::json::value_t::object: {
		out->append("map[");
		bool first = true;
		for (auto it = value.begin(); it != value.end(); ++it) { // nlohmann::json keeps keys sorted, as %v prints them
			if (!first)
				out->push_back(' ');
			first = false;
			out->append(it.key());
			out->push_back(':');
			AppendGoValueString(it.value(), out);
		}
		out->push_back(']');
		return;
	}
	default:
		out->append("<nil>");
		return;
	}
}

bool HasTagPrefix(const std::string &key) { return key.compare(0, kTagPrefix.size(), kTagPrefix) == 0; }

} // namespace

void AppendGoJson(const nlohmann::json &value, std::string *out) {
	switch (value.type()) {
	case nlohmann::json::value_t::string:
		wire::AppendJsonString(value.get_ref<const std::string &>(), out);
		return;
	case nlohmann::json::value_t::boolean:
		out->append(value.get<bool>() ? "true" : "false");
		return;
	case nlohmann::json::value_t::number_integer:
		out->append(std::to_string(value.get<int64_t>()));
		return;
	case nlohmann::json::value_t::number_unsigned:
		out->append(std::to_string(value.get<uint64_t>()));
		return;
	case nlohmann::json::value_t::number_float:
		AppendGoJsonNumber(value.get<double>(), out);
		return;
	case nlohmann::json::value_t::array: {
		out->push_back('[');
		bool first = true;
		for (const auto &item : value) {
			if (!first)
				out->push_back(',');
			first = false;
			AppendGoJson(item, out);
		}
		out->push_back(']');
		return;
	}
	case nlohmann::json::value_t::object: {
		out->push_back('{');
		bool first = true;
		for (auto it = value.begin(); it != value.end(); ++it) {
			if (!first)
				out->push_back(',');
			first = false;
			wire::AppendJsonString(it.key(), out);
			out->push_back(':');
			AppendGoJson(it.value(), out);
		}
		out->push_back('}');
		return;
	}
	default:
		out->append("null");
		return;
	}
}

std::string GoValueString(const nlohmann::json &value) {
	std::string out;
	AppendGoValueString(value, &out);
	return out;
}

int64_t EnvelopeTimeUs(const nlohmann::json &envelope, int64_t fallback_us) {
	auto data = envelope.find("Data");
	if (data == envelope.end() || !data->is_array() || data->empty() || !(*data)[0].is_object())
		return fallback_us;
	const nlohmann::json &first = (*data)[0];
	auto epoch = first.find("epoch_ns");
	if (epoch == first.end() || !epoch->is_number())
		return fallback_us;
	// §0.1: accept (0, 9.2e18) ns; the double→int64 conversion is exact for integral values.
	double ns = epoch->get<double>();
	if (!std::isfinite(ns) || ns <= 0 || ns >= 9.2e18)
		return fallback_us;
	int64_t ns_int = epoch->is_number_float() ? static_cast<int64_t>(ns) : epoch->get<int64_t>();
	return ns_int / 1000; // positive, so division floors (pgx truncates ns the same way)
}

bool MapEnvelope(const nlohmann::json &envelope, int64_t received_at_us, MappedEnvelope *out,
                 std::string *error) {
	if (!envelope.is_object()) {
		*error = "envelope is not a JSON object";
		return false;
	}
	auto dbname = envelope.find("DBName");
	auto metric = envelope.find("MetricName");
	auto custom = envelope.find("CustomTags");
	auto data = envelope.find("Data");
	if (dbname == envelope.end() || !dbname->is_string() || metric == envelope.end() || !metric->is_string() ||
	    data == envelope.end() || !data->is_array()) {
		*error = "envelope lacks DBName, MetricName or Data";
		return false;
	}
	out->dbname = dbname->get<std::string>();
	out->metric = metric->get<std::string>();
	out->rows.clear();
	int64_t time_us = EnvelopeTimeUs(envelope, received_at_us);

	std::map<std::string, std::string> custom_tags;
	if (custom != envelope.end() && custom->is_object())
		for (auto it = custom->begin(); it != custom->end(); ++it)
			custom_tags[it.key()] = GoValueString(it.value());

	for (const nlohmann::json &row : *data) {
		if (!row.is_object()) {
			*error = "a Data row is not an object";
			return false;
		}
		std::map<std::string, std::string> tags = custom_tags;
		MetricRow mapped;
		mapped.time_us = time_us;
		mapped.data.push_back('{');
		bool first = true;
		for (auto it = row.begin(); it != row.end(); ++it) {
			if (HasTagPrefix(it.key())) {
				tags[it.key().substr(kTagPrefix.size())] = GoValueString(it.value()); // row tags win
				continue;
			}
			if (!first)
				mapped.data.push_back(',');
			first = false;
			wire::AppendJsonString(it.key(), &mapped.data);
			mapped.data.push_back(':');
			AppendGoJson(it.value(), &mapped.data);
		}
		mapped.data.push_back('}');
		mapped.tag_data.push_back('{');
		first = true;
		for (const auto &tag : tags) {
			if (!first)
				mapped.tag_data.push_back(',');
			first = false;
			wire::AppendJsonString(tag.first, &mapped.tag_data);
			mapped.tag_data.push_back(':');
			wire::AppendJsonString(tag.second, &mapped.tag_data);
		}
		mapped.tag_data.push_back('}');
		out->rows.push_back(std::move(mapped));
	}
	return true;
}

} // namespace pgwatch_rpc::sinks
