// Request messages the scenarios send: pgwatch-shaped measurements derived only from a seed
// (so a test can re-create them), envelopes of an exact serialized size, deeply nested rows,
// metric definitions, and deterministic serialization of any of them.
#pragma once

#include "pgwatch.pb.h"

#include <cstdint>
#include <string>

namespace pgwatch_rpc::interop {

struct EnvelopeSpec {
	std::string dbname;
	std::string metric;
	uint64_t seed = 1;
	double epoch_ns = 1.7e18;
};

// MakeMeasurement returns envelope number `index` of a run: `rows` rows as pgwatch's Go
// maps arrive through structpb (every number a double, epoch_ns in each row, tag_* fields,
// strings, a bool, a null) and CustomTags.
MeasurementEnvelope MakeMeasurement(const EnvelopeSpec &spec, int index, int rows);

// MakeSizedEnvelope returns a table_stats-like envelope whose serialized size is `bytes`
// (or as close as the varint lengths allow; the caller reports the real size). Every string
// is short, so only the total size can be what a server refuses.
MeasurementEnvelope MakeSizedEnvelope(const EnvelopeSpec &spec, size_t bytes);

// MakeDeepEnvelope returns one row nested `depth` Structs deep (the row itself is depth 1).
MeasurementEnvelope MakeDeepEnvelope(const EnvelopeSpec &spec, int depth);

// MakeMetricDefinitions returns a Struct shaped like pgwatch's DefineMetrics payload.
google::protobuf::Struct MakeMetricDefinitions();

// Serialize returns the message's bytes with deterministic map order.
std::string Serialize(const google::protobuf::Message &message);

} // namespace pgwatch_rpc::interop
