// Renders a spool payload as JSON text with pgwatch's field names, for rpc_decode() and for
// the sinks. Output follows protojson: DBName, MetricName, CustomTags, Data for envelopes;
// DBName, MetricName, Operation ("AddOp"…) for SyncReq; the bare object for Struct.
// Non-finite numbers become the strings "NaN", "Infinity", "-Infinity" as protojson does.
#pragma once
#include "core/core_only.hpp"
#include "core/wire/envelope_scan.hpp"

#include <string>

namespace pgwatch_rpc::wire {

enum class PayloadKind { kMeasurement, kSync, kDefine };

// Parse "measurement" / "sync" / "define" (the spool's kind column). False if unknown.
bool ParsePayloadKind(std::string_view text, PayloadKind *kind);

// PayloadToJson appends the JSON rendering to *out. Returns a non-ok result (and leaves
// *out unspecified) if the bytes are not a valid message of that kind under the limits.
ScanResult PayloadToJson(PayloadKind kind, const uint8_t *data, size_t size, const Limits &limits,
                         std::string *out);

} // namespace pgwatch_rpc::wire
