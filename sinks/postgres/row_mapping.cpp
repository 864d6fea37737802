// Row mapping of the postgres sink (see row_mapping.hpp). Every delivered row passes through
// RowMapper::Map: json::MeasurementRows decodes the bytes with pgwatch's value texts (below),
// and the row's data and tag_data are its fields and tags written as JSON objects.
#include "sinks/postgres/row_mapping.hpp"

#include "core/json/document.hpp"
#include "core/json/value_text.hpp"
#include "core/wire/json_text.hpp"

#include <charconv>
#include <cmath>
#include <string_view>

namespace pgwatch_rpc::sinks {
namespace {

// NonFinite: the protojson string of NaN or ±Infinity. These numbers reach the stored rows as
// the strings protojson gives them (the mapping read protojson until 2026-12).
std::string_view NonFinite(double value) {
	return std::isnan(value) ? "NaN" : (value > 0 ? "Infinity" : "-Infinity");
}

// AppendShortest: the shortest round-trip digits of value in format.
void AppendShortest(double value, std::chars_format format, std::string *out) {
	char buf[400]; // a fixed rendering of a value below 1e21 needs far fewer; 400 fits any
	auto res = std::to_chars(buf, buf + sizeof buf, value, format);
	out->append(buf, static_cast<size_t>(res.ptr - buf));
}

// AppendDataNumber: a data number as Go's encoding/json prints a float64 (row_mapping.hpp).
void AppendDataNumber(double value, std::string *out) {
	if (!std::isfinite(value)) {
		wire::AppendJsonString(NonFinite(value), out);
		return;
	}
	double abs = std::fabs(value);
	if (abs == 0) {
		out->push_back('0'); // -0 too
		return;
	}
	if (abs >= 1e-6 && abs < 1e21) {
		AppendShortest(value, std::chars_format::fixed, out);
		return;
	}
	char buf[64];
	auto res = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
	std::string_view text(buf, static_cast<size_t>(res.ptr - buf));
	// encoding/json writes e-7, not e-07 (positive exponents keep their two digits).
	size_t n = text.size();
	if (n >= 4 && text[n - 4] == 'e' && text[n - 3] == '-' && text[n - 2] == '0') {
		out->append(text.substr(0, n - 2));
		out->push_back(text[n - 1]);
		return;
	}
	out->append(text);
}

// AppendTagNumber: a tag number as %v prints it (row_mapping.hpp): json::AppendGoNumber but
// for NaN, ±Infinity and -0.
void AppendTagNumber(double value, std::string *out) {
	if (!std::isfinite(value))
		out->append(NonFinite(value));
	else if (value == 0)
		out->push_back('0');
	else
		json::AppendGoNumber(value, out);
}

// AppendUnescaped appends the JSON string that starts after the quote at json[i] without its
// escapes, and returns the position after its closing quote. The JSON is
// wire::AppendJsonString's, which escapes only ", \ and control characters.
size_t AppendUnescaped(std::string_view json, size_t i, std::string *out) {
	while (i < json.size()) {
		size_t run = std::min(json.find_first_of("\"\\", i), json.size());
		out->append(json.substr(i, run - i));
		i = run;
		if (i >= json.size() || json[i] == '"')
			break;
		if (i + 1 == json.size())
			return i + 1; // unreachable: PayloadToJson ends every escape
		char code = json[i + 1];
		i += 2;
		if (code == 'u') { // \u00XX: a control character
			unsigned code_point = 0;
			std::from_chars(json.data() + i, json.data() + std::min(i + 4, json.size()), code_point, 16);
			out->push_back(static_cast<char>(code_point));
			i += 4;
			continue;
		}
		// \b \f \n \r \t, else the character itself (" and backslash).
		constexpr std::string_view kShort = "b\bf\fn\nr\rt\t";
		size_t at = kShort.find(code);
		out->push_back(at != std::string_view::npos && at % 2 == 0 ? kShort[at + 1] : code);
	}
	return i + 1;
}

// AppendGoValueOfJson: a nested tag value as %v prints it, from its JSON as wire::PayloadToJson
// renders it with sorted keys and AppendTagNumber's numbers (so numbers arrive as %v already):
// {"a":2,"b":"x"} becomes map[a:2 b:x] and ["a",1,null] becomes [a 1 <nil>].
void AppendGoValueOfJson(std::string_view json, std::string *out) {
	for (size_t i = 0; i < json.size();) {
		switch (json[i]) {
		case '{':
			out->append("map[");
			i++;
			break;
		case '}':
		case ']':
			out->push_back(']');
			i++;
			break;
		case '[':
		case ':':
			out->push_back(json[i++]);
			break;
		case ',':
			out->push_back(' ');
			i++;
			break;
		case '"':
			i = AppendUnescaped(json, i + 1, out);
			break;
		default: { // a number, true, false or null
			size_t end = std::min(json.find_first_of(",:]}", i), json.size());
			std::string_view token = json.substr(i, end - i);
			out->append(token == "null" ? "<nil>" : token);
			i = end;
			break;
		}
		}
	}
}

json::ValueTexts PgwatchTexts() {
	json::ValueTexts texts;
	texts.epoch_ns_field = true;
	texts.field_number = AppendDataNumber;
	texts.tag_number = AppendTagNumber;
	texts.nested_field.sorted_keys = true;
	texts.nested_field.append_number = AppendDataNumber;
	texts.nested_tag.sorted_keys = true;
	texts.nested_tag.append_number = AppendTagNumber;
	texts.nested_tag_text = AppendGoValueOfJson;
	return texts;
}

} // namespace

RowMapper::RowMapper() : rows_(PgwatchTexts()) {}

bool RowMapper::Map(const sink::Record &record, MappedEnvelope *out, std::string *error) {
	wire::ScanResult res = rows_.Open(record);
	if (!res.ok()) {
		*error = "cannot decode the spool payload: " + res.message;
		return false;
	}
	out->dbname.assign(rows_.dbname());
	out->metric.assign(rows_.metric());
	out->rows.clear();
	out->rows.reserve(rows_.row_count());
	int64_t time_us = rows_.has_envelope_epoch() ? rows_.envelope_time_ns() / 1000 : record.received_at_us;
	// The rows of one envelope are alike, so each row's buffers start at the size of the
	// previous row's.
	size_t data_size = 0, tag_data_size = 0;
	json::Row row;
	while (rows_.Next(&row)) {
		MetricRow &mapped = out->rows.emplace_back();
		mapped.time_us = time_us;
		mapped.data.reserve(data_size);
		json::AppendFieldsObject(*row.fields, &mapped.data);
		mapped.tag_data.reserve(tag_data_size);
		json::AppendTagsObject(*row.tags, &mapped.tag_data);
		data_size = mapped.data.size();
		tag_data_size = mapped.tag_data.size();
	}
	return true;
}

} // namespace pgwatch_rpc::sinks
