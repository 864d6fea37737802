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
// *out unspecified) if the bytes are not a well-formed message of that kind under the
// limits, or hold a string jsonb cannot take (invalid UTF-8, NUL). Unlike ingest, the name
// rules and SyncOp values are not enforced, so a spool row accepted by an older version
// stays decodable; unknown SyncOp values render as numbers. DBName, MetricName,
// CustomTags and Data (or DBName, MetricName, Operation) are always present, even when
// empty. Duplicate map keys keep the last entry, as libprotobuf does; a Value with no kind
// set renders as null.
ScanResult PayloadToJson(PayloadKind kind, const uint8_t *data, size_t size, const Limits &limits,
                         std::string *out);

} // namespace pgwatch_rpc::wire
