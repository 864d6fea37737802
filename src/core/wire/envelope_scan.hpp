// One bounded pass over the protobuf wire bytes of a request (DESIGN.md §4.3, issue #2):
// validate the message against the limits and extract what the spool needs, without
// building libprotobuf objects. The bytes are then stored exactly as received.
// libprotobuf stays the test oracle (test/unit/wire_scan_test.cpp).
#pragma once
#include "core/core_only.hpp"
#include "core/wire/limits.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace pgwatch_rpc::wire {

enum class ScanStatus {
	kOk,
	kMalformed, // not decodable as the message: gRPC INTERNAL ("error parsing request")
	kInvalid,   // decodable but violates our rules or limits: gRPC INVALID_ARGUMENT
};

struct ScanResult {
	ScanStatus status = ScanStatus::kOk;
	std::string message; // for the client: says what is wrong and what to fix
	bool ok() const { return status == ScanStatus::kOk; }
};

// What the spool row needs from a MeasurementEnvelope. Views point into the scanned bytes.
struct EnvelopeSummary {
	std::string_view dbname;
	std::string_view metric;
	uint32_t nrows = 0;
};

enum class SyncOp : int32_t { kInvalid = 0, kAdd = 1, kDelete = 2, kDefine = 3 };

struct SyncSummary {
	std::string_view dbname;
	std::string_view metric;
	SyncOp op = SyncOp::kInvalid;
};

// ScanMeasurementEnvelope checks: well-formed proto3 wire format; DBName and MetricName
// present, valid names (see ValidateSourceName / ValidateMetricName); CustomTags keys and
// values valid UTF-8 without NUL and within limits; each Data row a Struct whose values nest
// at most limits.max_depth deep, strings valid UTF-8 without NUL (jsonb cannot store \u0000);
// at most limits.max_rows rows. Unknown fields are accepted and skipped (forward compatible).
ScanResult ScanMeasurementEnvelope(const uint8_t *data, size_t size, const Limits &limits,
                                   EnvelopeSummary *out);

// ScanSyncReq: well-formed; names may be empty only for the InvalidOp ping; AddOp/DeleteOp
// need a valid DBName (MetricName "" means the whole source); unknown op values → kInvalid.
ScanResult ScanSyncReq(const uint8_t *data, size_t size, const Limits &limits, SyncSummary *out);

// ScanStruct validates a google.protobuf.Struct (DefineMetrics) with the same value rules.
ScanResult ScanStruct(const uint8_t *data, size_t size, const Limits &limits);

// Name rules, shared with the SQL side. Empty names and names with quotes, NUL, control
// characters, spaces or semicolons are refused; the message says which rule failed.
// Sources (DBName): 1..max bytes of [A-Za-z0-9_.:@/+-]. Metrics: 1..max bytes of [A-Za-z0-9_].
ScanResult ValidateSourceName(std::string_view name, size_t max_bytes);
ScanResult ValidateMetricName(std::string_view name, size_t max_bytes);

} // namespace pgwatch_rpc::wire
