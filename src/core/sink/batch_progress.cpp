// Per-item progress of a batch (batch_progress.hpp).
#include "core/sink/batch_progress.hpp"

namespace pgwatch_rpc::sink {

void BatchProgress::Start(BatchKey key, size_t records) {
	started_ = true;
	key_ = std::move(key);
	record_of_.clear();
	settled_.clear();
	reasons_.assign(records, std::string());
	refusals_.assign(records, 0);
	unsettled_ = 0;
}

size_t BatchProgress::AddItem(size_t record) {
	record_of_.push_back(record);
	settled_.push_back(false);
	unsettled_++;
	return record_of_.size() - 1;
}

void BatchProgress::RefuseRecord(size_t record, std::string reason) {
	if (reasons_[record].empty())
		reasons_[record] = std::move(reason);
	refusals_[record]++;
}

void BatchProgress::Settle(size_t item) {
	if (settled_[item])
		return;
	settled_[item] = true;
	unsettled_--;
}

void BatchProgress::Refuse(size_t item, std::string reason) {
	if (settled_[item])
		return;
	RefuseRecord(record_of_[item], std::move(reason));
	Settle(item);
}

std::vector<RejectedRecord> BatchProgress::Rejected() const {
	std::vector<RejectedRecord> rejected;
	for (size_t record = 0; record < reasons_.size(); record++) {
		if (reasons_[record].empty())
			continue;
		std::string reason = reasons_[record];
		if (refusals_[record] > 1)
			reason += " (and " + std::to_string(refusals_[record] - 1) + " more rows of the envelope)";
		rejected.push_back({record, std::move(reason)});
	}
	return rejected;
}

} // namespace pgwatch_rpc::sink
