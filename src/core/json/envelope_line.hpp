// pgwatch's jsonfile line (SINKS.md §14.2 "pgwatch-envelope"): one measurement envelope per
// line, as pgwatch's own jsonfile sink writes it with Go's encoding/json (keys sorted),
//   {"custom_tags":{"env":"prod"},"data":[{"epoch_ns":1795462940000000000,"in_recovery_int":0,
//    "tag_sys_id":"7","xlog_location_b":100}],"dbname":"db1","metric":"wal"}
// so that readers of pgwatch's files read ours. Rows are kept whole (epoch_ns and tag_* stay
// in), numbers follow json::AppendJsonNumber (integers exact, NaN/Infinity as null), strings
// are escaped, so every line is one valid JSON document whatever the payload holds.
#pragma once
#include "core/core_only.hpp"
#include "core/sink/sink.hpp"
#include "core/wire/envelope_scan.hpp"

#include <string>

namespace pgwatch_rpc::json {

// AppendEnvelopeLine appends the line of a measurement record plus "\n". A record of another
// kind, or one that cannot be decoded (the checks MeasurementRows::Open applies), appends
// nothing and the result says why.
wire::ScanResult AppendEnvelopeLine(const sink::Record &record, std::string *out);

} // namespace pgwatch_rpc::json
