// MemorySpoolPort: a spool of given records, the sink's cursors and its dead letters, all in
// memory, following SpoolPort's contract. It lets the real delivery engine drive a sink with
// no hub database: `pgwatch-rpc sink-run`, and tests.
#pragma once
#include "core/core_only.hpp"
#include "core/delivery/spool_port.hpp"

#include <cstddef>
#include <map>
#include <vector>

namespace pgwatch_rpc::delivery {

class MemorySpoolPort : public SpoolPort {
public:
	// The records are sorted into (listener_id, seq) order; the cursors start before them.
	explicit MemorySpoolPort(std::vector<sink::Record> records);

	std::vector<sink::Record> ReadBatch(const ReadLimits &limits) override;
	void Commit(const Progress &progress) override;
	void PublishStatus(const StatusReport &report) override { last_status_ = report; }

	// Remaining: records not yet behind the cursors.
	size_t Remaining() const { return records_.size() - next_; }
	const std::vector<DeadLetter> &dead_letters() const { return dead_letters_; }
	const StatusReport &last_status() const { return last_status_; }

private:
	std::vector<sink::Record> records_;
	size_t next_ = 0; // the first record after the cursors
	std::map<int32_t, int64_t> cursors_;
	std::vector<DeadLetter> dead_letters_;
	StatusReport last_status_;
};

} // namespace pgwatch_rpc::delivery
