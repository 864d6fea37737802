// The sink conformance suite (conformance_kit.hpp): the same tests for every registered
// kind, each against a live target from the kind's harness, driving the sink exactly as the
// delivery child does (delivery::BuildSink, then Deliver with spool-shaped batches of
// realistic pgwatch envelopes).
#include "conformance_kit.hpp"

#include "core/delivery/delivery_config.hpp"
#include "core/delivery/sink_factory.hpp"
#include "core/json/measurement_rows.hpp"
#include "core/json/row_id.hpp"
#include "core/sink/registry.hpp"
#include "sender/sample_records.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <map>

namespace pgwatch_rpc::conformance {
namespace {

using nlohmann::json;

// RowKeysOf: the target's RowKey of every row of the records (by default the row ids the sinks
// compute).
std::vector<std::string> RowKeysOf(const Target &target, const std::vector<sink::Record> &records) {
	pgwatch_rpc::json::MeasurementRows rows;
	pgwatch_rpc::json::RowIdHasher hasher;
	std::vector<std::string> keys;
	for (const sink::Record &record : records) {
		if (!rows.Open(record).ok())
			continue;
		pgwatch_rpc::json::Row row;
		std::string row_id;
		while (rows.Next(&row)) {
			row_id.clear();
			hasher.Append(record, row, &row_id);
			keys.push_back(target.RowKey(record, row, row_id));
		}
	}
	std::sort(keys.begin(), keys.end());
	return keys;
}

std::vector<std::string> Sorted(std::vector<std::string> v) {
	std::sort(v.begin(), v.end());
	return v;
}

// SameRows: whether the stored row keys are the expected ones, duplicates counted (both
// sorted); if not, how many are missing and extra and the first of each, rather than
// thousands of keys.
testing::AssertionResult SameRows(const std::vector<std::string> &stored,
                                  const std::vector<std::string> &expected) {
	std::vector<std::string> missing, extra;
	std::set_difference(expected.begin(), expected.end(), stored.begin(), stored.end(),
	                    std::back_inserter(missing));
	std::set_difference(stored.begin(), stored.end(), expected.begin(), expected.end(),
	                    std::back_inserter(extra));
	if (missing.empty() && extra.empty())
		return testing::AssertionSuccess();
	testing::AssertionResult failure = testing::AssertionFailure();
	failure << "the target holds " << stored.size() << " rows, " << expected.size()
	        << " expected: " << missing.size() << " missing, " << extra.size() << " extra";
	if (!missing.empty())
		failure << "\n  first missing: " << missing.front();
	if (!extra.empty())
		failure << "\n  first extra: " << extra.front();
	return failure;
}

// Samples: realistic envelopes with seq first_seq… (several metrics and sources, 1 to 500 rows).
std::vector<sink::Record> Samples(int count, int64_t first_seq) {
	sender::SampleOptions options;
	options.envelopes = count;
	options.first_seq = first_seq;
	options.seed = static_cast<uint64_t>(first_seq);
	options.epoch_ns = 1.8e18;
	return sender::SampleRecords(options);
}

// BatchOf: the records as the engine hands them over, with the cursor positions (each
// listener's last seq) that a sink keeping its own cursor in the target stores.
sink::Batch BatchOf(std::vector<sink::Record> records) {
	sink::Batch batch;
	batch.sink_name = "conformance";
	std::map<int32_t, int64_t> last_seq;
	for (const sink::Record &r : records) {
		batch.payload_bytes += r.payload.size();
		last_seq[r.listener_id] = std::max(last_seq[r.listener_id], r.seq);
	}
	for (const auto &[listener_id, seq] : last_seq)
		batch.advance_to.push_back({listener_id, seq});
	batch.records = std::move(records);
	return batch;
}

// WrongType: a value of another JSON type than value's.
json WrongType(const json &value) {
	return value.is_boolean() ? json("not a boolean") : json(true);
}

void CollectStrings(const json &value, std::vector<std::string> *out) {
	if (value.is_string() && !value.get<std::string>().empty())
		out->push_back(value.get<std::string>());
	if (value.is_structured())
		for (const json &item : value)
			CollectStrings(item, out);
}

class Conformance : public ::testing::TestWithParam<std::string> {
protected:
	void SetUp() override {
		harness_ = FindHarness(GetParam());
		ASSERT_NE(harness_, nullptr) << "sink kind \"" << GetParam()
		                             << "\" has no conformance harness: add test/unit/conformance_"
		                             << GetParam() << ".cpp (docs/writing-a-sink.md)";
		target_ = harness_->start();
		CollectStrings(target_->Secrets(), &secrets_);
		for (const std::string &value : target_->SensitiveValues())
			secrets_.push_back(value);
		testing::internal::CaptureStderr();
		capturing_ = true;
	}

	void TearDown() override {
		if (!capturing_)
			return;
		std::string logs = testing::internal::GetCapturedStderr();
		ExpectNoSecret(logs, "the sink's log");
		if (HasFailure())
			std::fprintf(stderr, "--- what the sink logged:\n%s", logs.c_str());
	}

	void ExpectNoSecret(const std::string &text, const char *where) {
		for (const std::string &secret : secrets_)
			EXPECT_EQ(text.find(secret), std::string::npos) << "a secret reached " << where << ": " << text;
	}

	std::vector<sink::ConfigProblem> Problems(const json &config, const json &secrets) {
		std::vector<sink::ConfigProblem> problems =
		    sink::ValidateSinkConfig(GetParam(), config.dump(), secrets.dump());
		ExpectNoSecret(sink::FormatProblems(problems), "a config problem");
		return problems;
	}

	std::unique_ptr<sink::Sink> Build() {
		delivery::SinkDefinition definition;
		definition.kind = GetParam();
		definition.config_json = target_->Config().dump();
		definition.secrets_json = target_->Secrets().dump();
		definition.enabled = true;
		delivery::DeliveryConfig config;
		std::string problem;
		std::unique_ptr<sink::Sink> sink =
		    delivery::BuildSink("conformance", definition, "", &config, &problem);
		EXPECT_NE(sink, nullptr) << problem;
		return sink;
	}

	// Deliver runs one delivery as the engine would (an exception is a retry).
	sink::Outcome Deliver(sink::Sink &sink, const sink::Batch &batch) {
		sink::Outcome outcome;
		try {
			outcome = sink.Deliver(batch);
		} catch (const std::exception &e) {
			outcome = sink::Outcome::Retry(e.what());
		}
		ExpectNoSecret(outcome.error, "Outcome::error");
		for (const sink::RejectedRecord &r : outcome.rejected)
			ExpectNoSecret(r.reason, "a rejection reason");
		return outcome;
	}

	const Harness *harness_ = nullptr;
	std::unique_ptr<Target> target_;
	std::vector<std::string> secrets_;
	bool capturing_ = false;
};

bool NamesKey(const std::vector<sink::ConfigProblem> &problems, const std::string &key) {
	for (const sink::ConfigProblem &p : problems)
		if (p.key == key || p.key.rfind(key + ".", 0) == 0 || p.key.rfind(key + "[", 0) == 0)
			return true;
	return false;
}

TEST_P(Conformance, TheHarnessConfigIsValid) {
	EXPECT_EQ(sink::FormatProblems(Problems(target_->Config(), target_->Secrets())), "");
	EXPECT_NE(Build(), nullptr);
}

TEST_P(Conformance, UnknownKeysAreNamed) {
	json config = target_->Config();
	config["no_such_key"] = 1;
	EXPECT_TRUE(NamesKey(Problems(config, target_->Secrets()), "no_such_key"));
	json secrets = target_->Secrets();
	secrets["no_such_secret"] = "x";
	EXPECT_TRUE(NamesKey(Problems(target_->Config(), secrets), "secrets.no_such_secret"));
}

TEST_P(Conformance, ValuesOfTheWrongTypeAreNamed) {
	const json config = target_->Config(), secrets = target_->Secrets();
	for (auto it = config.begin(); it != config.end(); ++it) {
		if (delivery::IsEngineKey(it.key()))
			continue;
		json bad = config;
		bad[it.key()] = WrongType(it.value());
		EXPECT_TRUE(NamesKey(Problems(bad, secrets), it.key()))
		    << "config." << it.key() << " = " << bad[it.key()];
	}
	for (auto it = secrets.begin(); it != secrets.end(); ++it) {
		json bad = secrets;
		bad[it.key()] = WrongType(it.value());
		EXPECT_TRUE(NamesKey(Problems(config, bad), "secrets." + it.key())) << "secrets." << it.key();
	}
}

TEST_P(Conformance, DeliversABatchOfManyRecordsWhole) {
	std::unique_ptr<sink::Sink> sink = Build();
	ASSERT_NE(sink, nullptr);
	std::vector<sink::Record> records = Samples(30, 1);
	sink::Outcome outcome = Deliver(*sink, BatchOf(records));
	ASSERT_EQ(outcome.status, sink::Outcome::Status::kDelivered) << outcome.error;
	EXPECT_TRUE(outcome.rejected.empty());
	EXPECT_TRUE(SameRows(Sorted(target_->StoredRowIds()), RowKeysOf(*target_, records)));
}

TEST_P(Conformance, AnUnreachableTargetMeansRetryThenEverythingOnce) {
	std::unique_ptr<sink::Sink> sink = Build();
	ASSERT_NE(sink, nullptr);
	std::vector<sink::Record> first = Samples(5, 1), second = Samples(8, 6);
	ASSERT_EQ(Deliver(*sink, BatchOf(first)).status, sink::Outcome::Status::kDelivered);

	target_->SetReachable(false);
	sink::Batch batch = BatchOf(second);
	for (int attempt = 0; attempt < 2; attempt++) {
		sink::Outcome outcome = Deliver(*sink, batch);
		EXPECT_EQ(outcome.status, sink::Outcome::Status::kRetry);
		EXPECT_FALSE(outcome.error.empty()) << "a retry must say why (rpc_stat_sinks.last_error)";
	}
	target_->SetReachable(true);
	sink::Outcome outcome = Deliver(*sink, batch);
	ASSERT_EQ(outcome.status, sink::Outcome::Status::kDelivered) << outcome.error;
	first.insert(first.end(), second.begin(), second.end());
	EXPECT_TRUE(SameRows(Sorted(target_->StoredRowIds()), RowKeysOf(*target_, first)));
}

TEST_P(Conformance, UndecodableRecordsAreRejectedAndTheRestDelivered) {
	std::unique_ptr<sink::Sink> sink = Build();
	ASSERT_NE(sink, nullptr);
	std::vector<sink::Record> records = Samples(4, 1);
	records[2].payload = std::string("\x0a\xff\xff\xff\xff\x0f not a MeasurementEnvelope", 32);
	sink::Outcome outcome = Deliver(*sink, BatchOf(records));
	ASSERT_EQ(outcome.status, sink::Outcome::Status::kDelivered) << outcome.error;
	ASSERT_EQ(outcome.rejected.size(), 1u);
	EXPECT_EQ(outcome.rejected[0].record_index, 2u);
	EXPECT_FALSE(outcome.rejected[0].reason.empty()) << "the dead letter must say why";
	records.erase(records.begin() + 2);
	EXPECT_TRUE(SameRows(Sorted(target_->StoredRowIds()), RowKeysOf(*target_, records)));
}

TEST_P(Conformance, RecordsTheTargetRefusesAreRejectedAndTheRestDelivered) {
	std::vector<sink::Record> records = Samples(12, 1);
	const std::string refused = records[5].metric;
	if (!target_->RefuseMetric(refused))
		GTEST_SKIP() << "this target cannot be told to refuse rows";
	std::unique_ptr<sink::Sink> sink = Build();
	ASSERT_NE(sink, nullptr);
	sink::Outcome outcome = Deliver(*sink, BatchOf(records));
	ASSERT_EQ(outcome.status, sink::Outcome::Status::kDelivered) << outcome.error;
	std::vector<size_t> rejected, expected;
	for (const sink::RejectedRecord &r : outcome.rejected) {
		rejected.push_back(r.record_index);
		EXPECT_FALSE(r.reason.empty());
	}
	std::vector<sink::Record> accepted;
	for (size_t i = 0; i < records.size(); i++)
		if (records[i].metric == refused)
			expected.push_back(i);
		else
			accepted.push_back(records[i]);
	std::sort(rejected.begin(), rejected.end());
	EXPECT_EQ(rejected, expected);
	EXPECT_TRUE(SameRows(Sorted(target_->StoredRowIds()), RowKeysOf(*target_, accepted)));
}

TEST_P(Conformance, RecordsDeliveredAgainAfterARestartAreNotStoredTwice) {
	std::vector<sink::Record> records = Samples(10, 1);
	{
		std::unique_ptr<sink::Sink> before_crash = Build();
		ASSERT_NE(before_crash, nullptr);
		ASSERT_EQ(Deliver(*before_crash, BatchOf(records)).status, sink::Outcome::Status::kDelivered);
	}
	// The cursor did not move: the next delivery process reads the same records, and more
	// that arrived meanwhile, and may cut its batch elsewhere.
	std::vector<sink::Record> more = Samples(6, 11);
	std::vector<sink::Record> again(records.begin() + 4, records.end());
	again.insert(again.end(), more.begin(), more.end());
	std::unique_ptr<sink::Sink> after_restart = Build();
	ASSERT_NE(after_restart, nullptr);
	sink::Outcome outcome = Deliver(*after_restart, BatchOf(again));
	ASSERT_EQ(outcome.status, sink::Outcome::Status::kDelivered) << outcome.error;

	records.insert(records.end(), more.begin(), more.end());
	std::vector<std::string> expected = RowKeysOf(*target_, records),
	                         stored = Sorted(target_->StoredRowIds());
	if (harness_->redelivery == Redelivery::kStoredOnce) {
		EXPECT_TRUE(SameRows(stored, expected));
	} else {
		stored.erase(std::unique(stored.begin(), stored.end()), stored.end());
		EXPECT_TRUE(SameRows(stored, expected)) << "duplicates must carry the row keys of the originals";
	}
}

std::string KindName(const testing::TestParamInfo<std::string> &info) {
	return info.param;
}

INSTANTIATE_TEST_SUITE_P(EveryKind, Conformance, testing::ValuesIn(sink::KindNames()), KindName);

} // namespace
} // namespace pgwatch_rpc::conformance
