// Internal to src/core/wire: the scanner in two strengths. Ingest (the listener) enforces
// everything: well-formedness, limits, UTF-8 and NUL, name rules and SyncOp values.
// Decode (PayloadToJson, i.e. rpc_decode and sinks) skips the name and SyncOp rules, so a
// spool row accepted by an older, more lenient version stays decodable; what the JSON and
// jsonb need (structure, limits, UTF-8, no NUL) is still checked.
#pragma once
#include "core/core_only.hpp"
#include "core/wire/envelope_scan.hpp"

namespace pgwatch_rpc::wire {

enum class ScanMode { kIngest, kDecode };

ScanResult ScanMeasurementEnvelopeIn(ScanMode mode, const uint8_t *data, size_t size, const Limits &limits,
                                     EnvelopeSummary *out);
ScanResult ScanSyncReqIn(ScanMode mode, const uint8_t *data, size_t size, const Limits &limits,
                         SyncSummary *out);

} // namespace pgwatch_rpc::wire
