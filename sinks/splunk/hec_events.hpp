// HEC events of the rows of spool records (SINKS.md §3.1), concatenated JSON objects:
//   format event (default), one event per row:
//     {"time":1795462940.000,"host":"db1","source":"pgwatch","sourcetype":"pgwatch:wal",
//      "index":"pgwatch","event":{"metric":"wal","dbname":"db1","in_recovery_int":0,
//      "xlog_location_b":100,"id":"<row id>"},"fields":{"dbname":"db1","metric":"wal",
//      "env":"prod","sys_id":"7"}}
//   format metric, one multi-metric event per row, numeric fields only:
//     {"time":…,"event":"metric","host":"db1",…,"fields":{"dbname":"db1","env":"prod",
//      "sys_id":"7","metric_name:wal.in_recovery_int":0,"metric_name:wal.xlog_location_b":100}}
// time is the row time in epoch seconds with milliseconds. "fields" are indexed fields (flat
// strings). A row field named metric, dbname or id becomes field_<name> in "event"; a tag
// named dbname or metric keeps its pgwatch name tag_<name> in "fields".
#pragma once
#include "core/core_only.hpp"
#include "core/json/measurement_rows.hpp"
#include "core/json/row_id.hpp"
#include "core/sink/sink.hpp"
#include "sinks/splunk/splunk_kind.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace pgwatch_rpc::sinks {

// HecEvent: one row's event inside a shared text buffer.
struct HecEvent {
	size_t record = 0; // index in Batch::records
	size_t row = 0;    // index of the row in its envelope's Data
	size_t offset = 0;
	size_t size = 0;
};

class HecSerializer {
public:
	explicit HecSerializer(const SplunkSettings &settings);

	// AppendRecord appends the events of the rows of batch record `record_index` (in metric
	// format, rows without a numeric field give none). A record that cannot be decoded
	// appends nothing and the result says why.
	wire::ScanResult AppendRecord(const sink::Record &record, size_t record_index, std::string *text,
	                              std::vector<HecEvent> *events);

private:
	void AppendHeader(const json::Row &row, std::string *out);
	void AppendEventBody(const sink::Record &record, const json::Row &row, std::string *out);
	bool AppendMetricBody(const json::Row &row, std::string *out);
	void AppendIndexedTags(const json::Row &row, std::string *out);

	const SplunkSettings &settings_;
	json::MeasurementRows rows_;
	json::RowIdHasher ids_;
	std::string sourcetype_metric_; // the metric sourcetype_ was built for
	std::string sourcetype_;        // "sourcetype":"…", as JSON
	std::string metric_name_;       // scratch for "metric_name:<metric>.<field>"
};

} // namespace pgwatch_rpc::sinks
