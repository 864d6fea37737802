// The in-memory spool (see memory_spool_port.hpp).
#include "core/delivery/memory_spool_port.hpp"

#include <algorithm>
#include <utility>

namespace pgwatch_rpc::delivery {

MemorySpoolPort::MemorySpoolPort(std::vector<sink::Record> records) : records_(std::move(records)) {
	std::stable_sort(records_.begin(), records_.end(), [](const sink::Record &a, const sink::Record &b) {
		return std::make_pair(a.listener_id, a.seq) < std::make_pair(b.listener_id, b.seq);
	});
}

std::vector<sink::Record> MemorySpoolPort::ReadBatch(const ReadLimits &limits) {
	std::vector<sink::Record> out;
	int64_t bytes = 0;
	for (size_t i = next_; i < records_.size() && out.size() < limits.max_records && bytes < limits.max_bytes;
	     i++) {
		out.push_back(records_[i]);
		bytes += static_cast<int64_t>(records_[i].payload.size());
	}
	return out;
}

void MemorySpoolPort::Commit(const Progress &progress) {
	for (const sink::CursorPosition &p : progress.advance_to)
		cursors_[p.listener_id] = std::max(cursors_[p.listener_id], p.seq);
	for (const DeadLetter &d : progress.dead_letters)
		dead_letters_.push_back(d);
	auto behind = [this](const sink::Record &r) {
		auto it = cursors_.find(r.listener_id);
		return it != cursors_.end() && r.seq <= it->second;
	};
	while (next_ < records_.size() && behind(records_[next_]))
		next_++;
}

} // namespace pgwatch_rpc::delivery
