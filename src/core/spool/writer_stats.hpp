// Counters of the group committer, reported in pgwatch_rpc.listener_status (issue #2:
// rows, bytes, batches, commit latency percentiles, last error).
#pragma once
#include "core/core_only.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace pgwatch_rpc::spool {

// LatencyWindow keeps the last kCapacity samples (milliseconds) for percentiles.
class LatencyWindow {
public:
	static constexpr size_t kCapacity = 1000;
	void Add(double ms);
	// Percentile of the samples held (nearest rank, p in [0,100]); 0 when empty.
	double Percentile(double p) const;
	double Max() const;
	size_t size() const { return samples_.size(); }

private:
	std::vector<double> samples_;
	size_t next_ = 0;
};

struct WriterStats {
	uint64_t batches = 0;
	uint64_t rows = 0;  // measurement rows (Data entries) committed
	uint64_t bytes = 0; // payload bytes committed
	uint64_t envelopes = 0;
	LatencyWindow commit_latency_ms;
	std::string last_error;
	int64_t last_error_at_us = 0; // wall clock
};

} // namespace pgwatch_rpc::spool
