// The benchmarks' pgwatch-shaped envelopes come from the sender's generator
// (src/sender/envelope_mix.hpp), so ingest_bench (over gRPC), db_ceiling (straight into
// PostgreSQL) and `pgwatch-rpc send` all produce the same kind of data.
#pragma once

#include "sender/envelope_mix.hpp"

namespace pgwatch_rpc::bench {

using Envelope = sender::SerializedEnvelope;

// MakeEnvelopes: issue #2's 80/17/3 mix of count envelopes from seed.
inline std::vector<Envelope> MakeEnvelopes(size_t count, uint64_t seed) {
	return sender::MakeMixedEnvelopes(count, seed);
}

} // namespace pgwatch_rpc::bench
