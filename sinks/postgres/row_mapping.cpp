// Row mapping of the postgres sink (see row_mapping.hpp). Every delivered row passes through
// MapEnvelope, so it prints numbers and tags straight into the row's text, without a map or
// a temporary string per value.
#include "sinks/postgres/row_mapping.hpp"

#include "core/wire/json_text.hpp"

#include <charconv>
#include <cmath>
#include <string_view>

namespace pgwatch_rpc::sinks {
namespace {

constexpr std::string_view kTagPrefix = "tag_";

// NumberBuffer holds any shortest rendering of a double (the longest, a fixed one of a tiny
// value, fits in 400 characters; the ones printed here need a few dozen).
using NumberBuffer = char[400];

// ShortestChars: the shortest round-trip digits of value in format, written into buf.
std::string_view ShortestChars(double value, std::chars_format format, NumberBuffer &buf) {
	auto res = std::to_chars(buf, buf + sizeof buf, value, format);
	return std::string_view(buf, static_cast<size_t>(res.ptr - buf));
}

// DecimalExponent of an exponent-form rendering: "1.5e-07" gives -7, "1e+21" gives 21.
int DecimalExponent(std::string_view scientific) {
	const char *from = scientific.data() + scientific.find('e') + 1;
	if (*from == '+')
		from++;
	int exponent = 0;
	std::from_chars(from, scientific.data() + scientific.size(), exponent);
	return exponent;
}

template <typename Integer> void AppendInteger(Integer value, std::string *out) {
	char buf[24];
	auto res = std::to_chars(buf, buf + sizeof buf, value);
	out->append(buf, res.ptr);
}

// AppendShortestFixed: the shortest round-trip digits of value in plain notation.
void AppendShortestFixed(double value, std::string *out) {
	NumberBuffer buf;
	out->append(ShortestChars(value, std::chars_format::fixed, buf));
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
		AppendShortestFixed(value, out);
		return;
	}
	NumberBuffer buf;
	std::string_view text = ShortestChars(value, std::chars_format::scientific, buf);
	// encoding/json writes e-7, not e-07 (positive exponents keep their two digits).
	size_t n = text.size();
	if (n >= 4 && text[n - 4] == 'e' && text[n - 3] == '-' && text[n - 2] == '0') {
		out->append(text.substr(0, n - 2));
		out->push_back(text[n - 1]);
		return;
	}
	out->append(text);
}

// AppendGoFloat: %v of a float64 (strconv 'g', shortest): exponent form when the decimal
// exponent is < -4 or >= 6, plain otherwise; integral values below 1e21 are printed as
// integers (see GoValueString).
void AppendGoFloat(double value, std::string *out) {
	if (std::isnan(value)) {
		out->append("NaN");
		return;
	}
	if (std::isinf(value)) {
		out->append(value > 0 ? "+Inf" : "-Inf");
		return;
	}
	if (value == std::trunc(value) && std::fabs(value) < 1e21) {
		AppendShortestFixed(value, out);
		return;
	}
	NumberBuffer buf;
	std::string_view scientific = ShortestChars(value, std::chars_format::scientific, buf);
	if (int exponent = DecimalExponent(scientific); exponent < -4 || exponent >= 6)
		out->append(scientific);
	else
		AppendShortestFixed(value, out);
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
		AppendInteger(value.get<int64_t>(), out);
		return;
	case nlohmann::json::value_t::number_unsigned:
		AppendInteger(value.get<uint64_t>(), out);
		return;
	case nlohmann::json::value_t::number_float:
		AppendGoFloat(value.get<double>(), out);
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

// Tag: one tag_data entry, its key without the tag_ prefix and its value as Go's %v prints it.
struct Tag {
	std::string_view key;
	std::string value;
};

// AppendTagData prints tag_data: the envelope's custom tags and the first row_count of the
// row's tags merged by key. Both lists are sorted (nlohmann::json keeps object keys sorted,
// and a common tag_ prefix keeps the row's in that order), so merging them gives the sorted
// union without a map per row; on a tie the row's tag wins.
void AppendTagData(const std::vector<Tag> &custom, const std::vector<Tag> &row, size_t row_count,
                   std::string *out) {
	out->push_back('{');
	size_t c = 0, r = 0;
	bool first = true;
	while (c < custom.size() || r < row_count) {
		const Tag *tag;
		if (r == row_count || (c < custom.size() && custom[c].key < row[r].key)) {
			tag = &custom[c++];
		} else {
			if (c < custom.size() && custom[c].key == row[r].key)
				c++;
			tag = &row[r++];
		}
		if (!first)
			out->push_back(',');
		first = false;
		wire::AppendJsonString(tag->key, out);
		out->push_back(':');
		wire::AppendJsonString(tag->value, out);
	}
	out->push_back('}');
}

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
		AppendInteger(value.get<int64_t>(), out);
		return;
	case nlohmann::json::value_t::number_unsigned:
		AppendInteger(value.get<uint64_t>(), out);
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

	std::vector<Tag> custom_tags;
	if (custom != envelope.end() && custom->is_object())
		for (auto it = custom->begin(); it != custom->end(); ++it) {
			custom_tags.push_back({it.key(), std::string()});
			AppendGoValueString(it.value(), &custom_tags.back().value);
		}

	// Reused row after row (their strings keep their capacity); the rows of one envelope
	// are alike, so each row's buffers start at the size of the previous row's.
	std::vector<Tag> row_tags;
	size_t data_size = 0, tag_data_size = 0;
	out->rows.reserve(data->size());
	for (const nlohmann::json &row : *data) {
		if (!row.is_object()) {
			*error = "a Data row is not an object";
			return false;
		}
		MetricRow mapped;
		mapped.time_us = time_us;
		mapped.data.reserve(data_size);
		mapped.data.push_back('{');
		size_t tag_count = 0;
		bool first = true;
		for (auto it = row.begin(); it != row.end(); ++it) {
			const std::string &key = it.key();
			if (HasTagPrefix(key)) {
				if (tag_count == row_tags.size())
					row_tags.emplace_back();
				Tag &tag = row_tags[tag_count++];
				tag.key = std::string_view(key).substr(kTagPrefix.size());
				tag.value.clear();
				AppendGoValueString(it.value(), &tag.value);
				continue;
			}
			if (!first)
				mapped.data.push_back(',');
			first = false;
			wire::AppendJsonString(key, &mapped.data);
			mapped.data.push_back(':');
			AppendGoJson(it.value(), &mapped.data);
		}
		mapped.data.push_back('}');
		mapped.tag_data.reserve(tag_data_size);
		AppendTagData(custom_tags, row_tags, tag_count, &mapped.tag_data);
		data_size = mapped.data.size();
		tag_data_size = mapped.tag_data.size();
		out->rows.push_back(std::move(mapped));
	}
	return true;
}

} // namespace pgwatch_rpc::sinks
