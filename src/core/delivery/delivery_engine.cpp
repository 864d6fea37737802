// One delivery cycle at a time: batching, linger, routing, outcome handling and backoff
// (delivery_engine.hpp).
#include "core/delivery/delivery_engine.hpp"

#include "core/delivery/routes.hpp"
#include "core/log/log.hpp"

#include <algorithm>
#include <exception>
#include <utility>

namespace pgwatch_rpc::delivery {
namespace {

int64_t RowsOf(const sink::Record &record) {
	return record.kind == sink::RecordKind::kMeasurement ? std::max<int32_t>(record.nrows, 0) : 0;
}

// AdvanceTo: for every listener among records (in (listener_id, seq) order), its last seq.
std::vector<sink::CursorPosition> AdvanceTo(const std::vector<sink::Record> &records, size_t count) {
	std::vector<sink::CursorPosition> positions;
	for (size_t i = 0; i < count; i++) {
		const sink::Record &r = records[i];
		if (!positions.empty() && positions.back().listener_id == r.listener_id)
			positions.back().seq = std::max(positions.back().seq, r.seq);
		else
			positions.push_back({r.listener_id, r.seq});
	}
	return positions;
}

} // namespace

DeliveryEngine::DeliveryEngine(std::string sink_name, DeliveryConfig config, sink::Sink &sink, SpoolPort &port,
                               EngineClock &clock, RandomBelow random_below)
    : sink_name_(std::move(sink_name)), config_(std::move(config)), sink_(sink), port_(port), clock_(clock),
      random_below_(std::move(random_below)) {}

StatusReport DeliveryEngine::Report() const {
	StatusReport report;
	report.state = state_;
	report.stats = stats_;
	return report;
}

void DeliveryEngine::CommitProgress(Progress progress) {
	pending_commit_ = std::move(progress);
	port_.Commit(*pending_commit_);
	pending_commit_.reset();
}

Cycle DeliveryEngine::RunOnce() {
	if (pending_commit_) {
		port_.Commit(*pending_commit_);
		pending_commit_.reset();
	}
	int64_t now_ms = clock_.MonotonicMs();
	if (pending_) {
		if (now_ms < pending_->retry_at_ms) {
			clock_.SleepMs(std::min(pending_->retry_at_ms - now_ms, kMaxCycleSleepMs));
			return Cycle::kBackingOff;
		}
		return Attempt();
	}

	ReadLimits limits;
	limits.max_records = std::min<size_t>(static_cast<size_t>(config_.max_batch_rows), kMaxRecordsPerBatch) + 1;
	limits.max_bytes = config_.max_batch_bytes;
	limits.max_rows = config_.max_batch_rows;
	std::vector<sink::Record> records = port_.ReadBatch(limits);
	if (records.empty()) {
		linger_started_ms_.reset();
		clock_.SleepMs(kIdlePollMs);
		return Cycle::kIdle;
	}

	// Cut the batch: whole records while within both bounds, at least one record (a single
	// envelope larger than a bound travels alone rather than blocking the queue).
	int64_t rows = 0;
	int64_t bytes = 0;
	size_t count = 0;
	for (const sink::Record &r : records) {
		int64_t record_rows = RowsOf(r);
		int64_t record_bytes = static_cast<int64_t>(r.payload.size());
		if (count > 0 && (rows + record_rows > config_.max_batch_rows || bytes + record_bytes > config_.max_batch_bytes))
			break;
		if (count + 1 >= limits.max_records)
			break;
		rows += record_rows;
		bytes += record_bytes;
		count++;
	}
	bool full = count < records.size() || rows >= config_.max_batch_rows || bytes >= config_.max_batch_bytes;

	Pending pending;
	pending.batch.sink_name = sink_name_;
	pending.batch.advance_to = AdvanceTo(records, count);
	bool wants_control = sink_.WantsControlRecords();
	int64_t oldest_received_us = 0;
	for (size_t i = 0; i < count; i++) {
		if (!Routed(config_, wants_control, records[i])) {
			pending.skipped++;
			continue;
		}
		if (pending.batch.records.empty())
			oldest_received_us = records[i].received_at_us;
		pending.batch.payload_bytes += records[i].payload.size();
		pending.batch.records.push_back(std::move(records[i]));
	}

	if (pending.batch.records.empty()) {
		// Nothing for this sink: move past the records without calling it.
		linger_started_ms_.reset();
		Progress progress;
		progress.advance_to = pending.batch.advance_to;
		stats_.skipped_envelopes += pending.skipped;
		CommitProgress(std::move(progress));
		return Cycle::kSkipped;
	}

	// Linger (pgwatch's --batching-delay): a non-full batch waits until its oldest record is
	// flush_interval_ms old, or until we have waited that long ourselves (clock skew).
	if (!full) {
		if (!linger_started_ms_)
			linger_started_ms_ = now_ms;
		int64_t waited_ms = now_ms - *linger_started_ms_;
		int64_t age_ms = (clock_.WallUs() - oldest_received_us) / 1000;
		int64_t elapsed_ms = std::max(waited_ms, age_ms);
		if (elapsed_ms < config_.flush_interval_ms) {
			clock_.SleepMs(std::min(config_.flush_interval_ms - elapsed_ms, kIdlePollMs));
			return Cycle::kLingering;
		}
	}
	linger_started_ms_.reset();
	pending_ = std::move(pending);
	return Attempt();
}

Cycle DeliveryEngine::Attempt() {
	const sink::Batch &batch = pending_->batch;
	sink::Outcome outcome;
	try {
		outcome = sink_.Deliver(batch);
	} catch (const std::exception &e) {
		outcome = sink::Outcome::Retry(e.what());
	} catch (...) {
		outcome = sink::Outcome::Retry("the sink threw an unknown exception");
	}
	int64_t now_ms = clock_.MonotonicMs();
	int64_t wall_us = clock_.WallUs();

	if (outcome.status == sink::Outcome::Status::kDelivered) {
		Progress progress;
		progress.advance_to = batch.advance_to;
		progress.write_cursors = !outcome.cursor_committed;
		std::vector<bool> rejected(batch.records.size(), false);
		std::vector<DeadLetter> dead_letters;
		for (const sink::RejectedRecord &r : outcome.rejected) {
			if (r.record_index >= batch.records.size() || rejected[r.record_index])
				continue;
			rejected[r.record_index] = true;
			dead_letters.push_back({batch.records[r.record_index], r.reason});
		}
		for (size_t i = 0; i < batch.records.size(); i++) {
			if (rejected[i])
				continue;
			stats_.delivered_envelopes++;
			stats_.delivered_rows += RowsOf(batch.records[i]);
		}
		if (!dead_letters.empty())
			log::Write(log::Level::kWarning, "sink \"" + sink_name_ + "\": " + std::to_string(dead_letters.size()) +
			                                     " records rejected by the target, moved to the dead letters: " +
			                                     dead_letters.front().error);
		stats_.dead_letters += static_cast<int64_t>(dead_letters.size());
		if (!outcome.cursor_committed)
			progress.dead_letters = std::move(dead_letters);
		stats_.skipped_envelopes += pending_->skipped;
		stats_.last_success_at_us = wall_us;
		stats_.backoff_until_us = 0;
		state_ = SinkState::kRunning;
		pending_.reset();
		CommitProgress(std::move(progress));
		return Cycle::kDelivered;
	}

	if (outcome.stopped || clock_.StopRequested()) {
		// Not a failed attempt: no backoff, no count toward max_retries (which would
		// dead-letter a batch for a stop); the next delivery process sends it again. A retry
		// that comes while a stop is requested is taken for the stop's doing too: the HTTP
		// client abandons a request in flight when asked to stop.
		log::Write(log::Level::kLog, "sink \"" + sink_name_ + "\": " + outcome.error);
		return Cycle::kStopped;
	}
	pending_->failures++;
	stats_.retries++;
	stats_.last_error = outcome.error.empty() ? "the sink asked for a retry without saying why" : outcome.error;
	stats_.last_error_at_us = wall_us;
	if (config_.max_retries > 0 && pending_->failures > config_.max_retries) {
		Progress progress;
		progress.advance_to = batch.advance_to;
		std::string error = "gave up after " + std::to_string(pending_->failures) + " attempts: " + stats_.last_error;
		for (const sink::Record &r : batch.records)
			progress.dead_letters.push_back({r, error});
		log::Write(log::Level::kWarning, "sink \"" + sink_name_ + "\": " + std::to_string(batch.records.size()) +
		                                     " records moved to the dead letters: " + error);
		stats_.dead_letters += static_cast<int64_t>(batch.records.size());
		stats_.skipped_envelopes += pending_->skipped;
		stats_.backoff_until_us = 0;
		state_ = SinkState::kRunning;
		pending_.reset();
		CommitProgress(std::move(progress));
		return Cycle::kDeadLettered;
	}
	int64_t delay_ms = BackoffDelayMs(config_.backoff_base_ms, config_.backoff_max_ms, pending_->failures,
	                                  outcome.retry_after_ms, random_below_);
	pending_->retry_at_ms = now_ms + delay_ms;
	stats_.backoff_until_us = wall_us + delay_ms * 1000;
	state_ = SinkState::kBackingOff;
	log::Write(log::Level::kWarning, "sink \"" + sink_name_ + "\": delivery failed (attempt " +
	                                     std::to_string(pending_->failures) + "), retrying in " +
	                                     std::to_string(delay_ms) + " ms: " + stats_.last_error);
	return Cycle::kRetryScheduled;
}

} // namespace pgwatch_rpc::delivery
