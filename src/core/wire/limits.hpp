// Bounds applied to every message from the network before it reaches the spool
// (DESIGN.md §6: sizes, counts, nesting depth and string lengths are bounded).
#pragma once
#include "core/core_only.hpp"

#include <cstddef>
#include <cstdint>

namespace pgwatch_rpc::wire {

struct Limits {
	size_t max_rows = 100000;             // Data entries per MeasurementEnvelope
	int max_depth = 32;                   // Struct/ListValue nesting (a row is depth 1)
	size_t max_string_bytes = 1 << 20;    // any string value or key
	size_t max_name_bytes = 128;          // DBName, MetricName, tag keys
	size_t max_fields_per_struct = 10000; // keys in one Struct
};

}  // namespace pgwatch_rpc::wire
