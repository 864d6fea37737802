// The postgres sink's row mapping (SINKS.md §0.1, §1.2): a spool measurement record becomes
// rows (time, dbname, data, tag_data) exactly as pgwatch's own postgres sink builds them,
// read straight from the record's protobuf bytes (json::MeasurementRows). No database, so the
// mapping is unit-tested on its own (test/unit/pgwatch_row_oracle.hpp holds its oracle).
#pragma once
#include "core/core_only.hpp"
#include "core/json/measurement_rows.hpp"
#include "core/sink/sink.hpp"

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

// RowMapper maps spool measurement records; keep one per batch or sink, as it reuses its
// decoding buffers. The texts are those of pgwatch's postgres sink, which builds a Go map per
// row and prints it with encoding/json:
//   data      the row's keys but tag_* (epoch_ns kept), sorted. Numbers are float64 there,
//             printed in plain notation when 1e-6 <= |x| < 1e21 (integral values with all
//             their digits, so an epoch_ns double prints as its exact integer) and in exponent
//             form otherwise ("1e-7", "1e+21"); -0 prints 0. NaN and ±Infinity, which Go's
//             encoding/json refuses and jsonb cannot hold, are the strings "NaN", "Infinity",
//             "-Infinity". Nested objects with sorted keys.
//   tag_data  CustomTags ∪ the row's tag_* keys (prefix stripped, the row's winning), each
//             value as Go's %v prints it: strings as is, true/false, integral numbers below
//             1e21 without a decimal point (-0 as 0), other numbers in %v's shortest form
//             ("0.5", "1.5e-07", "1.2345675e+06"), NaN and ±Infinity as "NaN", "Infinity",
//             "-Infinity", null as "<nil>", lists as "[a b]" and objects as "map[k:v]";
//             "{}" when there are none.
//   time_us   the envelope time for every row (§1.2): Data[0].epoch_ns floored to µs, or the
//             spool's receive time if that is missing, not a number or not in (0, 9.2e18) ns
//             (pgwatch would silently use now(); §0.1).
class RowMapper {
public:
	RowMapper();

	// Map maps the record into *out. False, with *error set, if its payload is not a valid
	// MeasurementEnvelope (the record belongs in the dead letters).
	bool Map(const sink::Record &record, MappedEnvelope *out, std::string *error);

private:
	json::MeasurementRows rows_;
};

} // namespace pgwatch_rpc::sinks
