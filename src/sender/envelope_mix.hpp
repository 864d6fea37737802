// A pool of serialized envelopes with issue #2's size mix for the benchmarks: 80% carry 1–5
// rows, 17% carry 20–100 and 3% carry 300–500, built before any clock starts so generating
// them never shows up in a figure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace pgwatch_rpc::sender {

struct SerializedEnvelope {
	std::string bytes; // the serialized MeasurementEnvelope, sent and stored as is
	std::string dbname;
	std::string metric;
	int nrows = 0;
};

// MakeMixedEnvelopes builds count envelopes from seed. Classes are dealt exactly 80/17/3 per
// hundred and then shuffled, so any pool of 100 or more has the intended mix; small envelopes
// take instance-wide metrics, the others per-object metrics; sources are prod-db-0..39 and
// epochs start at 1.8e18 ns, one minute apart.
std::vector<SerializedEnvelope> MakeMixedEnvelopes(size_t count, uint64_t seed);

} // namespace pgwatch_rpc::sender
