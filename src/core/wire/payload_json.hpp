// Renders a spool payload as JSON text with pgwatch's field names, for rpc_decode() and for
// the sinks. Output follows protojson: DBName, MetricName, CustomTags, Data for envelopes;
// DBName, MetricName, Operation ("AddOp"…) for SyncReq; the bare object for Struct.
// Non-finite numbers become the strings "NaN", "Infinity", "-Infinity" as protojson does.
// RenderOptions switch a measurement envelope to the shape of pgwatch's jsonfile sink.
#pragma once
#include "core/core_only.hpp"
#include "core/wire/envelope_scan.hpp"
#include "core/wire/json_text.hpp"

#include <string>

namespace pgwatch_rpc::wire {

enum class PayloadKind { kMeasurement, kSync, kDefine };

// Parse "measurement" / "sync" / "define" (the spool's kind column). False if unknown.
bool ParsePayloadKind(std::string_view text, PayloadKind *kind);

// RenderOptions: how a sink that writes pgwatch's own shape wants the rendering; the
// defaults are protojson's.
struct RenderOptions {
	// Envelope members named as pgwatch's jsonfile sink writes them (Go's encoding/json sorts
	// map keys): {"custom_tags":{…},"data":[…],"dbname":…,"metric":…}.
	bool jsonfile_names = false;
	// Keys of every object (CustomTags, rows, nested objects) in byte order, as Go writes a
	// map, instead of wire order; the result then no longer depends on the sender's map order.
	bool sorted_keys = false;
	// Writes a number; a sink passes its own rule (core/json/value_text.hpp).
	void (*append_number)(double value, std::string *out) = AppendJsonNumber;
};

// PayloadToJson appends the JSON rendering to *out. Returns a non-ok result (and leaves
// *out unspecified) if the bytes are not a well-formed message of that kind under the
// limits, or hold a string jsonb cannot take (invalid UTF-8, NUL). Unlike ingest, the name
// rules and SyncOp values are not enforced, so a spool row accepted by an older version
// stays decodable; unknown SyncOp values render as numbers. DBName, MetricName,
// CustomTags and Data (or DBName, MetricName, Operation) are always present, even when
// empty. Duplicate map keys keep the last entry, as libprotobuf does; a Value with no kind
// set renders as null.
ScanResult PayloadToJson(PayloadKind kind, const uint8_t *data, size_t size, const Limits &limits,
                         std::string *out, const RenderOptions &options = {});

} // namespace pgwatch_rpc::wire
