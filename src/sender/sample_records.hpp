// Spool-shaped sample input for running a sink without a hub (`pgwatch-rpc sink-run`) and for
// the sink conformance tests: realistic pgwatch envelopes from the sender's builders, wrapped
// in sink::Record as the delivery engine reads them from pgwatch_rpc.spool.
#pragma once

#include "core/sink/sink.hpp"

#include <cstdint>
#include <vector>

namespace pgwatch_rpc::sender {

struct SampleOptions {
	int envelopes = 10;
	int sources = 3;         // prod-db-1 … prod-db-N
	int32_t listener_id = 1; // records get seq first_seq, first_seq + 1, …
	int64_t first_seq = 1;
	uint64_t seed = 1;
	double epoch_ns = 0; // time of the first envelope; 0 = now. Later ones are 1 s apart
};

// SampleRecords builds options.envelopes measurement records, cycling through every (source,
// metric) pair of pgwatch-rpc send's default metrics with each metric's natural row count, as
// `pgwatch-rpc send` does. The same options give the same bytes.
std::vector<sink::Record> SampleRecords(const SampleOptions &options);

} // namespace pgwatch_rpc::sender
