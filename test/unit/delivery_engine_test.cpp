// Unit tests of the delivery engine with an in-memory spool, a scripted sink and a fake
// clock: batching bounds, linger, routing, retries, rejected records, dead letters.
#include "core/delivery/delivery_engine.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace pgwatch_rpc::delivery {
namespace {

class FakeClock : public EngineClock {
public:
	int64_t MonotonicMs() override { return mono_ms; }
	int64_t WallUs() override { return wall_us; }
	void SleepMs(int64_t ms) override {
		sleeps.push_back(ms);
		mono_ms += ms;
		wall_us += ms * 1000;
	}
	bool StopRequested() override { return stop_requested; }
	int64_t mono_ms = 1000;
	bool stop_requested = false;
	int64_t wall_us = 1'800'000'000'000'000;
	std::vector<int64_t> sleeps;
};

// MemorySpool: the spool, cursors and dead letters in memory, following SpoolPort's contract.
class MemorySpool : public SpoolPort {
public:
	explicit MemorySpool(FakeClock &clock) : clock_(clock) {}

	void Add(int32_t listener, sink::RecordKind kind, const std::string &dbname, const std::string &metric,
	         int32_t nrows, size_t bytes, int64_t age_ms = 10'000) {
		sink::Record r;
		r.listener_id = listener;
		r.seq = ++last_seq[listener];
		r.received_at_us = clock_.wall_us - age_ms * 1000;
		r.kind = kind;
		r.dbname = dbname;
		r.metric = metric;
		r.nrows = nrows;
		r.payload.assign(bytes, 'x');
		rows.push_back(r);
	}
	void AddMeasurements(int count, int32_t nrows = 1, size_t bytes = 10, int32_t listener = 1) {
		for (int i = 0; i < count; i++)
			Add(listener, sink::RecordKind::kMeasurement, "db", "wal", nrows, bytes);
	}

	std::vector<sink::Record> ReadBatch(const ReadLimits &limits) override {
		if (fail_reads > 0) {
			fail_reads--;
			throw std::runtime_error("spool unavailable");
		}
		std::vector<const sink::Record *> after;
		for (const sink::Record &r : rows)
			if (r.seq > cursors[r.listener_id])
				after.push_back(&r);
		std::sort(after.begin(), after.end(), [](const sink::Record *a, const sink::Record *b) {
			return std::make_pair(a->listener_id, a->seq) < std::make_pair(b->listener_id, b->seq);
		});
		std::vector<sink::Record> out;
		int64_t bytes = 0;
		for (const sink::Record *r : after) {
			if (out.size() >= limits.max_records || bytes >= limits.max_bytes)
				break;
			out.push_back(*r);
			bytes += static_cast<int64_t>(r->payload.size());
		}
		return out;
	}
	void Commit(const Progress &progress) override {
		if (fail_commits > 0) {
			fail_commits--;
			throw std::runtime_error("commit failed");
		}
		commits.push_back(progress);
		for (const auto &p : progress.advance_to)
			cursors[p.listener_id] = p.seq;
		for (const auto &d : progress.dead_letters)
			dead.push_back(d);
	}
	void PublishStatus(const StatusReport &report) override { reports.push_back(report); }

	std::vector<sink::Record> rows;
	std::map<int32_t, int64_t> last_seq;
	std::map<int32_t, int64_t> cursors;
	std::vector<Progress> commits;
	std::vector<DeadLetter> dead;
	std::vector<StatusReport> reports;
	int fail_reads = 0;
	int fail_commits = 0;

private:
	FakeClock &clock_;
};

// ScriptedSink answers each Deliver with the next scripted step (Delivered when the script
// is exhausted) and records every batch it saw.
class ScriptedSink : public sink::Sink {
public:
	using Step = std::function<sink::Outcome(const sink::Batch &)>;
	sink::Outcome Deliver(const sink::Batch &batch) override {
		batches.push_back(batch);
		if (script.empty())
			return sink::Outcome::Delivered();
		Step step = script.front();
		script.pop_front();
		return step(batch);
	}
	bool WantsControlRecords() const override { return wants_control; }

	std::deque<Step> script;
	std::vector<sink::Batch> batches;
	bool wants_control = false;
};

sink::Outcome Retry(const char *why, int64_t after = -1) { return sink::Outcome::Retry(why, after); }

struct Harness {
	explicit Harness(DeliveryConfig cfg = DeliveryConfig{}) : spool(clock), config(std::move(cfg)) {}
	DeliveryEngine &Engine() {
		if (!engine)
			engine = std::make_unique<DeliveryEngine>("test", config, sink, spool, clock,
			                                          [](uint64_t bound) { return bound - 1; });
		return *engine;
	}
	// Drain runs cycles until the spool is idle (bounded).
	void Drain(int max_cycles = 1000) {
		for (int i = 0; i < max_cycles; i++)
			if (Engine().RunOnce() == Cycle::kIdle)
				return;
		FAIL() << "engine did not become idle";
	}
	FakeClock clock;
	MemorySpool spool;
	ScriptedSink sink;
	DeliveryConfig config;
	std::unique_ptr<DeliveryEngine> engine;
};

std::vector<int64_t> Seqs(const sink::Batch &batch) {
	std::vector<int64_t> seqs;
	for (const auto &r : batch.records)
		seqs.push_back(r.seq);
	return seqs;
}

TEST(DeliveryEngine, EmptySpoolDoesNotCallTheSink) {
	Harness h;
	EXPECT_EQ(h.Engine().RunOnce(), Cycle::kIdle);
	EXPECT_TRUE(h.sink.batches.empty());
	EXPECT_TRUE(h.spool.commits.empty());
	EXPECT_EQ(h.clock.sleeps, (std::vector<int64_t>{kIdlePollMs}));
}

TEST(DeliveryEngine, BatchBoundedByRows) {
	DeliveryConfig config;
	config.max_batch_rows = 10;
	Harness h(config);
	h.spool.AddMeasurements(7, 3); // 21 rows: batches of 3 envelopes (9 rows)
	EXPECT_EQ(h.Engine().RunOnce(), Cycle::kDelivered);
	ASSERT_EQ(h.sink.batches.size(), 1u);
	EXPECT_EQ(Seqs(h.sink.batches[0]), (std::vector<int64_t>{1, 2, 3}));
	EXPECT_EQ(h.spool.cursors[1], 3);
	h.Drain();
	ASSERT_EQ(h.sink.batches.size(), 3u);
	EXPECT_EQ(Seqs(h.sink.batches[2]), (std::vector<int64_t>{7}));
	EXPECT_EQ(h.Engine().Report().stats.delivered_envelopes, 7);
	EXPECT_EQ(h.Engine().Report().stats.delivered_rows, 21);
}

TEST(DeliveryEngine, BatchBoundedByBytesAndOversizeTravelsAlone) {
	DeliveryConfig config;
	config.max_batch_bytes = 2048;
	Harness h(config);
	h.spool.AddMeasurements(3, 1, 1000);
	h.spool.AddMeasurements(1, 1, 5000);
	h.spool.AddMeasurements(1, 1, 10);
	h.Drain();
	ASSERT_EQ(h.sink.batches.size(), 4u);
	EXPECT_EQ(Seqs(h.sink.batches[0]), (std::vector<int64_t>{1, 2}));
	EXPECT_EQ(h.sink.batches[0].payload_bytes, 2000u);
	EXPECT_EQ(Seqs(h.sink.batches[1]), (std::vector<int64_t>{3}));
	EXPECT_EQ(Seqs(h.sink.batches[2]), (std::vector<int64_t>{4}));
	EXPECT_EQ(Seqs(h.sink.batches[3]), (std::vector<int64_t>{5}));
	EXPECT_EQ(h.spool.cursors[1], 5);
	EXPECT_EQ(h.Engine().Report().stats.delivered_envelopes, 5);
}

TEST(DeliveryEngine, OversizeEnvelopeInRowsTravelsAlone) {
	DeliveryConfig config;
	config.max_batch_rows = 10;
	Harness h(config);
	h.spool.AddMeasurements(1, 50);
	h.spool.AddMeasurements(1, 2);
	EXPECT_EQ(h.Engine().RunOnce(), Cycle::kDelivered);
	EXPECT_EQ(Seqs(h.sink.batches[0]), (std::vector<int64_t>{1}));
}

TEST(DeliveryEngine, LingersForANonFullBatchOfFreshRecords) {
	DeliveryConfig config;
	config.flush_interval_ms = 950;
	Harness h(config);
	h.spool.Add(1, sink::RecordKind::kMeasurement, "db", "wal", 1, 10, /*age_ms=*/0);
	int lingering = 0;
	Cycle cycle;
	while ((cycle = h.Engine().RunOnce()) == Cycle::kLingering) {
		ASSERT_LT(++lingering, 100);
		if (lingering == 2) // a record arriving meanwhile joins the batch
			h.spool.Add(1, sink::RecordKind::kMeasurement, "db", "wal", 1, 10, 0);
	}
	EXPECT_EQ(cycle, Cycle::kDelivered);
	EXPECT_EQ(lingering, 5); // 4 polls of 200 ms and one of 150 ms: 950 ms in all
	int64_t slept = 0;
	for (int64_t s : h.clock.sleeps)
		slept += s;
	EXPECT_EQ(slept, 950);
	EXPECT_EQ(Seqs(h.sink.batches[0]), (std::vector<int64_t>{1, 2}));
}

TEST(DeliveryEngine, OldRecordsAndFullBatchesDoNotLinger) {
	DeliveryConfig config;
	config.max_batch_rows = 2;
	Harness h(config);
	h.spool.Add(1, sink::RecordKind::kMeasurement, "db", "wal", 1, 10, 0);
	h.spool.Add(1, sink::RecordKind::kMeasurement, "db", "wal", 1, 10, 0);
	EXPECT_EQ(h.Engine().RunOnce(), Cycle::kDelivered); // full by rows
	h.spool.Add(1, sink::RecordKind::kMeasurement, "db", "wal", 1, 10, 5000);
	EXPECT_EQ(h.Engine().RunOnce(), Cycle::kDelivered); // older than flush_interval_ms
	EXPECT_TRUE(h.clock.sleeps.empty());
}

TEST(DeliveryEngine, ZeroFlushIntervalDeliversAtOnce) {
	DeliveryConfig config;
	config.flush_interval_ms = 0;
	Harness h(config);
	h.spool.Add(1, sink::RecordKind::kMeasurement, "db", "wal", 1, 10, 0);
	EXPECT_EQ(h.Engine().RunOnce(), Cycle::kDelivered);
}

TEST(DeliveryEngine, RoutesSkipButCursorMovesPast) {
	DeliveryConfig config;
	config.include_metrics = {"wal"};
	config.exclude_sources = {"test"};
	Harness h(config);
	h.spool.Add(1, sink::RecordKind::kMeasurement, "db", "cpu", 1, 10);
	h.spool.Add(1, sink::RecordKind::kMeasurement, "db", "wal", 1, 10);
	h.spool.Add(1, sink::RecordKind::kSync, "db", "wal", 0, 10);
	h.spool.Add(2, sink::RecordKind::kMeasurement, "test", "wal", 1, 10);
	h.spool.Add(2, sink::RecordKind::kDefine, "", "", 0, 10);
	h.spool.Add(2, sink::RecordKind::kMeasurement, "prod", "wal", 4, 10);
	EXPECT_EQ(h.Engine().RunOnce(), Cycle::kDelivered);
	ASSERT_EQ(h.sink.batches.size(), 1u);
	const sink::Batch &batch = h.sink.batches[0];
	ASSERT_EQ(batch.records.size(), 2u);
	EXPECT_EQ(batch.records[0].listener_id, 1);
	EXPECT_EQ(batch.records[0].seq, 2);
	EXPECT_EQ(batch.records[1].listener_id, 2);
	EXPECT_EQ(batch.records[1].seq, 3);
	ASSERT_EQ(batch.advance_to.size(), 2u);
	EXPECT_EQ(batch.advance_to[0].seq, 3);
	EXPECT_EQ(batch.advance_to[1].seq, 3);
	EXPECT_EQ(h.spool.cursors[1], 3);
	EXPECT_EQ(h.spool.cursors[2], 3);
	StatusReport report = h.Engine().Report();
	EXPECT_EQ(report.stats.skipped_envelopes, 4);
	EXPECT_EQ(report.stats.delivered_rows, 5);
}

TEST(DeliveryEngine, ControlRecordsForSinksThatWantThem) {
	Harness h;
	h.sink.wants_control = true;
	h.spool.Add(1, sink::RecordKind::kSync, "db", "wal", 0, 10);
	h.spool.Add(1, sink::RecordKind::kDefine, "", "", 0, 10);
	EXPECT_EQ(h.Engine().RunOnce(), Cycle::kDelivered);
	EXPECT_EQ(Seqs(h.sink.batches[0]), (std::vector<int64_t>{1, 2}));
	EXPECT_EQ(h.Engine().Report().stats.delivered_rows, 0);
}

TEST(DeliveryEngine, AllRoutedAwaySkipsTheSink) {
	DeliveryConfig config;
	config.exclude_metrics = {"*"};
	Harness h(config);
	h.spool.Add(1, sink::RecordKind::kMeasurement, "db", "wal", 1, 10, 0);
	h.spool.Add(1, sink::RecordKind::kSync, "db", "wal", 0, 10, 0);
	EXPECT_EQ(h.Engine().RunOnce(), Cycle::kSkipped); // no linger for records routed away
	EXPECT_TRUE(h.sink.batches.empty());
	EXPECT_EQ(h.spool.cursors[1], 2);
	EXPECT_EQ(h.Engine().Report().stats.skipped_envelopes, 2);
	EXPECT_EQ(h.Engine().RunOnce(), Cycle::kIdle);
}

TEST(DeliveryEngine, RetryThenSuccessLosesAndDuplicatesNothing) {
	DeliveryConfig config;
	config.max_batch_rows = 3;
	config.backoff_base_ms = 100;
	config.backoff_max_ms = 1000;
	Harness h(config);
	h.spool.AddMeasurements(7);
	h.sink.script = {[](const sink::Batch &) { return Retry("503 Service Unavailable"); },
	                 [](const sink::Batch &) -> sink::Outcome { throw std::runtime_error("connection reset"); }};
	EXPECT_EQ(h.Engine().RunOnce(), Cycle::kRetryScheduled);
	StatusReport report = h.Engine().Report();
	EXPECT_EQ(report.state, SinkState::kBackingOff);
	EXPECT_EQ(report.stats.last_error, "503 Service Unavailable");
	EXPECT_EQ(report.stats.backoff_until_us, h.clock.wall_us + 100'000);
	EXPECT_EQ(h.spool.cursors[1], 0);
	EXPECT_EQ(h.Engine().RunOnce(), Cycle::kBackingOff);
	EXPECT_EQ(h.clock.sleeps.back(), 100);
	EXPECT_EQ(h.Engine().RunOnce(), Cycle::kRetryScheduled); // the exception is a retry
	EXPECT_EQ(h.Engine().Report().stats.last_error, "connection reset");
	EXPECT_EQ(h.Engine().RunOnce(), Cycle::kBackingOff);
	EXPECT_EQ(h.clock.sleeps.back(), 200); // second failure: base * 2
	EXPECT_EQ(h.Engine().RunOnce(), Cycle::kDelivered);
	EXPECT_EQ(h.Engine().Report().state, SinkState::kRunning);
	h.Drain();
	// Delivered: the first batch three times (two failures), then each record once.
	std::map<int64_t, int> delivered;
	for (size_t i = 2; i < h.sink.batches.size(); i++)
		for (int64_t seq : Seqs(h.sink.batches[i]))
			delivered[seq]++;
	ASSERT_EQ(delivered.size(), 7u);
	for (auto &[seq, times] : delivered)
		EXPECT_EQ(times, 1) << "seq " << seq;
	EXPECT_EQ(Seqs(h.sink.batches[0]), Seqs(h.sink.batches[1]));
	EXPECT_EQ(Seqs(h.sink.batches[0]), Seqs(h.sink.batches[2]));
	EXPECT_EQ(h.Engine().Report().stats.retries, 2);
	EXPECT_EQ(h.Engine().Report().stats.delivered_envelopes, 7);
	EXPECT_EQ(h.Engine().Report().stats.backoff_until_us, 0);
}

TEST(DeliveryEngine, RetryAfterIsHonoured) {
	DeliveryConfig config;
	config.backoff_base_ms = 100;
	config.backoff_max_ms = 200;
	Harness h(config);
	h.spool.AddMeasurements(1);
	h.sink.script = {[](const sink::Batch &) { return Retry("429 Too Many Requests", 2500); }};
	EXPECT_EQ(h.Engine().RunOnce(), Cycle::kRetryScheduled);
	int backing_off = 0;
	while (h.Engine().RunOnce() == Cycle::kBackingOff)
		ASSERT_LT(++backing_off, 10);
	EXPECT_EQ(backing_off, 3); // 1000 + 1000 + 500 ms: no cycle sleeps longer than a second
	EXPECT_EQ(h.clock.sleeps, (std::vector<int64_t>{1000, 1000, 500}));
	EXPECT_EQ(h.sink.batches.size(), 2u);
}

TEST(DeliveryEngine, RejectedRecordsGoToDeadLetters) {
	Harness h;
	h.spool.AddMeasurements(4, 2);
	h.sink.script = {[](const sink::Batch &) {
		sink::Outcome o = sink::Outcome::Delivered();
		o.rejected = {{1, "mapping failed"}, {3, "bad json"}, {1, "duplicate index"}, {99, "out of range"}};
		return o;
	}};
	EXPECT_EQ(h.Engine().RunOnce(), Cycle::kDelivered);
	ASSERT_EQ(h.spool.dead.size(), 2u);
	EXPECT_EQ(h.spool.dead[0].record.seq, 2);
	EXPECT_EQ(h.spool.dead[0].error, "mapping failed");
	EXPECT_EQ(h.spool.dead[1].record.seq, 4);
	ASSERT_EQ(h.spool.commits.size(), 1u); // dead letters and cursor in one commit
	EXPECT_EQ(h.spool.cursors[1], 4);
	StatusReport report = h.Engine().Report();
	EXPECT_EQ(report.stats.delivered_envelopes, 2);
	EXPECT_EQ(report.stats.delivered_rows, 4);
	EXPECT_EQ(report.stats.dead_letters, 2);
}

TEST(DeliveryEngine, MaxRetriesExceededDeadLettersTheBatch) {
	DeliveryConfig config;
	config.max_retries = 2;
	config.max_batch_rows = 2;
	Harness h(config);
	h.spool.AddMeasurements(3);
	for (int i = 0; i < 3; i++)
		h.sink.script.push_back([](const sink::Batch &) { return Retry("401 Unauthorized"); });
	std::vector<Cycle> cycles;
	for (int i = 0; i < 20 && cycles.size() < 3; i++) {
		Cycle c = h.Engine().RunOnce();
		if (c != Cycle::kBackingOff)
			cycles.push_back(c);
	}
	EXPECT_EQ(cycles, (std::vector<Cycle>{Cycle::kRetryScheduled, Cycle::kRetryScheduled, Cycle::kDeadLettered}));
	ASSERT_EQ(h.spool.dead.size(), 2u);
	EXPECT_EQ(h.spool.dead[0].error, "gave up after 3 attempts: 401 Unauthorized");
	EXPECT_EQ(h.spool.cursors[1], 2);
	h.Drain();
	EXPECT_EQ(Seqs(h.sink.batches.back()), (std::vector<int64_t>{3}));
	EXPECT_EQ(h.spool.cursors[1], 3);
	EXPECT_EQ(h.Engine().Report().stats.dead_letters, 2);
	EXPECT_EQ(h.Engine().Report().stats.retries, 3);
}

// A stop is not a failed attempt, whether the sink says so (Outcome::Stopped: it gave up
// waiting) or reports a retry while the process is asked to stop (the HTTP client abandoned
// the request in flight): with max_retries 1 and one failure behind it, the batch is neither
// dead-lettered nor delayed, the first failure stays the last error shown, and the cursor
// stays until the batch is delivered.
TEST(DeliveryEngine, AStopIsNoFailedAttempt) {
	const std::vector<std::pair<std::string, std::function<sink::Outcome(FakeClock &)>>> stops = {
	    {"Outcome::Stopped", [](FakeClock &) { return sink::Outcome::Stopped("stopping while waiting"); }},
	    {"a retry while a stop is requested", [](FakeClock &clock) {
		     clock.stop_requested = true;
		     return Retry("request abandoned: the delivery process is stopping");
	     }}};
	for (const auto &[what, stop] : stops) {
		SCOPED_TRACE(what);
		DeliveryConfig config;
		config.max_retries = 1;
		Harness h(config);
		h.spool.AddMeasurements(2);
		h.sink.script.push_back([](const sink::Batch &) { return Retry("503 Service Unavailable"); });
		h.sink.script.push_back([&h, &stop](const sink::Batch &) { return stop(h.clock); });
		std::vector<Cycle> cycles;
		for (int i = 0; i < 20 && cycles.size() < 2; i++) {
			Cycle c = h.Engine().RunOnce();
			if (c != Cycle::kBackingOff)
				cycles.push_back(c);
		}
		EXPECT_EQ(cycles, (std::vector<Cycle>{Cycle::kRetryScheduled, Cycle::kStopped}));
		EXPECT_TRUE(h.spool.dead.empty()) << "a stop is no reason to give up on a batch";
		EXPECT_EQ(h.spool.cursors[1], 0);
		EXPECT_EQ(h.Engine().Report().stats.retries, 1);
		EXPECT_EQ(h.Engine().Report().stats.last_error, "503 Service Unavailable");
		h.clock.stop_requested = false; // the next process
		size_t sleeps = h.clock.sleeps.size();
		EXPECT_EQ(h.Engine().RunOnce(), Cycle::kDelivered) << "no backoff after a stop";
		EXPECT_EQ(h.clock.sleeps.size(), sleeps);
		EXPECT_EQ(h.spool.cursors[1], 2);
	}
}

TEST(DeliveryEngine, CursorCommittedBySink) {
	Harness h;
	h.spool.AddMeasurements(2);
	h.sink.script = {[](const sink::Batch &) {
		sink::Outcome o = sink::Outcome::Delivered();
		o.cursor_committed = true;
		o.rejected.push_back({1, "bad row"});
		return o;
	}};
	EXPECT_EQ(h.Engine().RunOnce(), Cycle::kDelivered);
	ASSERT_EQ(h.spool.commits.size(), 1u);
	EXPECT_FALSE(h.spool.commits[0].write_cursors);
	EXPECT_EQ(h.spool.commits[0].advance_to[0].seq, 2);
	// The sink stored its dead letter with the data; the engine only counts it.
	EXPECT_TRUE(h.spool.commits[0].dead_letters.empty());
	EXPECT_EQ(h.Engine().Report().stats.dead_letters, 1);
	EXPECT_EQ(h.Engine().Report().stats.delivered_envelopes, 1);
}

TEST(DeliveryEngine, FailedCommitIsRetriedWithoutRedelivery) {
	Harness h;
	h.spool.AddMeasurements(2);
	h.spool.fail_commits = 1;
	EXPECT_THROW(h.Engine().RunOnce(), std::runtime_error);
	EXPECT_EQ(h.spool.cursors[1], 0);
	h.Drain();
	EXPECT_EQ(h.sink.batches.size(), 1u);
	EXPECT_EQ(h.spool.cursors[1], 2);
}

TEST(DeliveryEngine, ReadFailurePropagatesAndRecovers) {
	Harness h;
	h.spool.AddMeasurements(1);
	h.spool.fail_reads = 1;
	EXPECT_THROW(h.Engine().RunOnce(), std::runtime_error);
	h.Drain();
	EXPECT_EQ(h.sink.batches.size(), 1u);
}

TEST(DeliveryEngine, RecordCountBoundedForRowlessRecords) {
	DeliveryConfig config;
	config.max_batch_rows = 3;
	Harness h(config);
	h.sink.wants_control = true;
	for (int i = 0; i < 5; i++)
		h.spool.Add(1, sink::RecordKind::kSync, "db", "wal", 0, 10);
	EXPECT_EQ(h.Engine().RunOnce(), Cycle::kDelivered);
	EXPECT_EQ(Seqs(h.sink.batches[0]), (std::vector<int64_t>{1, 2, 3}));
}

} // namespace
} // namespace pgwatch_rpc::delivery
