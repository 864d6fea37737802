// The postgres sink's row mapping (SINKS.md §0.1, §1.2): a decoded MeasurementEnvelope
// becomes rows (time, dbname, data, tag_data) exactly as pgwatch's own postgres sink builds
// them. Pure functions (no database), so the mapping is unit-tested on its own.
#pragma once
#include "core/core_only.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace pgwatch_rpc::sinks {

struct MetricRow {
	int64_t time_us = 0;  // unix microseconds
	std::string data;     // JSON object text: the row minus tag_* keys (epoch_ns kept)
	std::string tag_data; // JSON object text of string values; "{}" when there are no tags
};

struct MappedEnvelope {
	std::string dbname;
	std::string metric;
	std::vector<MetricRow> rows;
};

// EnvelopeTimeUs: pgwatch's envelope time, Data[0].epoch_ns, floored to microseconds. A
// missing, non-numeric or out-of-range epoch_ns (not in (0, 9.2e18) ns) falls back to
// fallback_us, the spool's receive time (pgwatch would silently use now(); §0.1).
int64_t EnvelopeTimeUs(const nlohmann::json &envelope, int64_t fallback_us);

// MapEnvelope maps the protojson rendering of a MeasurementEnvelope (wire::PayloadToJson,
// parsed) into *out. Every row gets the envelope time (§1.2). False, with *error set, if
// the JSON does not have the envelope's shape.
bool MapEnvelope(const nlohmann::json &envelope, int64_t received_at_us, MappedEnvelope *out,
                 std::string *error);

// AppendGoJson appends a value as Go's encoding/json prints the map pgwatch builds: numbers
// are float64 there, printed with the shortest round-trip digits in plain notation when
// 1e-6 <= |x| < 1e21 (so an epoch_ns double prints as its exact integer) and in exponent
// form otherwise ("1e-7", "1e+21"). Objects are printed with sorted keys.
void AppendGoJson(const nlohmann::json &value, std::string *out);

// GoValueString: a tag value as pgwatch stringifies it with Go's %v. Strings as is, true/
// false, integral numbers below 1e21 without a decimal point (pgwatch's tags come from
// integer columns there), other numbers in %v's shortest form ("0.5", "1.5e-07",
// "1.2345675e+06"), null as "<nil>", lists as "[a b]" and objects as "map[k:v]".
std::string GoValueString(const nlohmann::json &value);

} // namespace pgwatch_rpc::sinks
