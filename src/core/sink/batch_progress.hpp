// BatchProgress: what became of each item (a row's document or event) of a batch that a
// sink sends in several requests and possibly over several attempts (SINKS.md §0.2's
// "partial" case): stored, refused for good, or still to send. A refused item sends its
// whole record (one spool envelope) to the dead letters; the record's other items are still
// delivered, so replaying the dead letter later only has to add what is missing. The engine
// retries a failed batch as it was (batch_key.hpp), so a sink keeps one BatchProgress across
// attempts and sends only the unsettled items again.
#pragma once
#include "core/core_only.hpp"
#include "core/sink/batch_key.hpp"
#include "core/sink/sink.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace pgwatch_rpc::sink {

class BatchProgress {
public:
	// Start forgets everything and begins the batch with this key and record count.
	void Start(BatchKey key, size_t records);
	bool Matches(const BatchKey &key) const { return started_ && key_ == key; }
	// Clear forgets the batch (once its outcome is delivered), so the next one starts afresh.
	void Clear() { started_ = false; }

	// AddItem adds an unsettled item of `record` and returns its index.
	size_t AddItem(size_t record);
	// RefuseRecord dead-letters a record that has no items (it could not be decoded).
	void RefuseRecord(size_t record, std::string reason);

	void Settle(size_t item);                     // the target stored it (or had it already)
	void Refuse(size_t item, std::string reason); // the target refuses it for good

	bool settled(size_t item) const { return settled_[item]; }
	bool record_refused(size_t record) const { return !reasons_[record].empty(); }
	size_t items() const { return record_of_.size(); }
	size_t unsettled() const { return unsettled_; }

	// Rejected: every refused record with its first reason (and how many more items of it
	// were refused), for Outcome::rejected.
	std::vector<RejectedRecord> Rejected() const;

private:
	bool started_ = false;
	BatchKey key_;
	std::vector<size_t> record_of_;    // per item
	std::vector<bool> settled_;        // per item
	std::vector<std::string> reasons_; // per record; "" = not refused
	std::vector<size_t> refusals_;     // per record: items refused
	size_t unsettled_ = 0;
};

} // namespace pgwatch_rpc::sink
