// Latency window of the group committer (see writer_stats.hpp).
#include "core/spool/writer_stats.hpp"

#include <algorithm>
#include <cmath>

namespace pgwatch_rpc::spool {

void LatencyWindow::Add(double ms) {
	if (samples_.size() < kCapacity) {
		samples_.push_back(ms);
		return;
	}
	samples_[next_] = ms;
	next_ = (next_ + 1) % kCapacity;
}

double LatencyWindow::Percentile(double p) const {
	if (samples_.empty())
		return 0;
	std::vector<double> sorted = samples_;
	std::sort(sorted.begin(), sorted.end());
	size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
	return sorted[rank == 0 ? 0 : std::min(rank, sorted.size()) - 1];
}

double LatencyWindow::Max() const {
	return samples_.empty() ? 0 : *std::max_element(samples_.begin(), samples_.end());
}

} // namespace pgwatch_rpc::spool
