// Bounds applied to every message from the network before it reaches the spool
// (DESIGN.md §6: sizes, counts, nesting depth and string lengths are bounded).
#pragma once
#include "core/core_only.hpp"

#include <cstddef>
#include <cstdint>

namespace pgwatch_rpc::wire {

// Hard ceiling on Limits::max_depth, whatever the configuration says: the scanner and the
// JSON renderer recurse once per level, and PayloadToJson also runs inside PostgreSQL
// backends (rpc_decode) with their max_stack_depth. libprotobuf's own recursion limit (100
// messages, i.e. about 33 Struct levels) refuses deeper rows anyway.
constexpr int kMaxDepthCap = 100;

struct Limits {
	size_t max_rows = 100000;             // Data entries per MeasurementEnvelope
	int max_depth = 32;                   // Struct/ListValue nesting (a row is depth 1), <= kMaxDepthCap
	size_t max_string_bytes = 1 << 20;    // any string value or key
	size_t max_name_bytes = 128;          // DBName, MetricName, tag keys
	size_t max_fields_per_struct = 10000; // keys in one Struct (and entries in CustomTags)
};

} // namespace pgwatch_rpc::wire
