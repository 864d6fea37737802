// BatchKey tells a retried batch from a new one. The delivery engine retries a failed batch
// exactly as it was (sink.hpp: Outcome::kRetry), so a sink that keeps per-batch progress
// between attempts (documents already stored, requests awaiting an acknowledgement) resumes
// it when the key matches and starts afresh otherwise. Header-only.
#pragma once
#include "core/core_only.hpp"
#include "core/sink/sink.hpp"

#include <cstdint>
#include <utility>
#include <vector>

namespace pgwatch_rpc::sink {

class BatchKey {
public:
	BatchKey() = default;
	// The spool positions of the batch's records identify it: a position is never reused.
	explicit BatchKey(const Batch &batch) {
		positions_.reserve(batch.records.size());
		for (const Record &record : batch.records)
			positions_.emplace_back(record.listener_id, record.seq);
	}
	bool operator==(const BatchKey &other) const { return positions_ == other.positions_; }
	bool operator!=(const BatchKey &other) const { return !(*this == other); }

private:
	std::vector<std::pair<int32_t, int64_t>> positions_;
};

} // namespace pgwatch_rpc::sink
