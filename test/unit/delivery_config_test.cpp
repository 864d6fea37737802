// Unit tests of the delivery engine's config keys: defaults, types, ranges, messages.
#include "core/delivery/delivery_config.hpp"

#include <gtest/gtest.h>

namespace pgwatch_rpc::delivery {
namespace {

std::vector<sink::ConfigProblem> Parse(const char *json, DeliveryConfig *out) {
	std::vector<sink::ConfigProblem> problems;
	ParseDeliveryConfig(nlohmann::json::parse(json), out, &problems);
	return problems;
}

TEST(DeliveryConfig, DefaultsWhenAbsent) {
	DeliveryConfig config;
	config.max_batch_rows = 7;
	EXPECT_TRUE(Parse(R"({"conninfo":"x"})", &config).empty());
	EXPECT_EQ(config.max_batch_rows, 5000);
	EXPECT_EQ(config.flush_interval_ms, 950);
	EXPECT_EQ(config.max_retries, 0);
	EXPECT_TRUE(config.include_metrics.empty());
}

TEST(DeliveryConfig, ReadsEveryKey) {
	DeliveryConfig config;
	auto problems = Parse(R"({"include_metrics":["db_*","wal"],"exclude_metrics":["x"],
		"include_sources":["prod*"],"exclude_sources":["test"],"max_batch_rows":10,
		"max_batch_bytes":4096,"flush_interval_ms":0,"max_retries":3,"backoff_base_ms":100,
		"backoff_max_ms":1e3})",
	                      &config);
	EXPECT_TRUE(problems.empty()) << problems.front().reason;
	EXPECT_EQ(config.include_metrics, (std::vector<std::string>{"db_*", "wal"}));
	EXPECT_EQ(config.exclude_sources, (std::vector<std::string>{"test"}));
	EXPECT_EQ(config.max_batch_rows, 10);
	EXPECT_EQ(config.max_batch_bytes, 4096);
	EXPECT_EQ(config.flush_interval_ms, 0);
	EXPECT_EQ(config.max_retries, 3);
	EXPECT_EQ(config.backoff_max_ms, 1000);
}

TEST(DeliveryConfig, RangeMessageNamesKeyBoundsAndValue) {
	DeliveryConfig config;
	auto problems = Parse(R"({"max_batch_rows":-3})", &config);
	ASSERT_EQ(problems.size(), 1u);
	EXPECT_EQ(problems[0].key, "max_batch_rows");
	EXPECT_EQ(problems[0].reason, "must be an integer between 1 and 1000000, not -3");
	EXPECT_EQ(config.max_batch_rows, 5000);
}

TEST(DeliveryConfig, RejectsWrongTypes) {
	DeliveryConfig config;
	auto problems = Parse(R"({"max_retries":"3","flush_interval_ms":1.5,"backoff_base_ms":true,
		"max_batch_bytes":null,"include_metrics":"wal","exclude_sources":["ok","",5]})",
	                      &config);
	ASSERT_EQ(problems.size(), 7u);
	std::vector<std::string> keys;
	for (const auto &p : problems)
		keys.push_back(p.key);
	EXPECT_EQ(keys, (std::vector<std::string>{"include_metrics", "exclude_sources[1]", "exclude_sources[2]",
	                                          "max_batch_bytes", "flush_interval_ms", "max_retries",
	                                          "backoff_base_ms"}));
	EXPECT_EQ(problems[0].reason, "must be an array of glob patterns such as [\"db_*\"], not \"wal\"");
	EXPECT_EQ(problems[1].reason, "must not be empty");
	EXPECT_EQ(problems[4].reason, "must be an integer between 0 and 3600000, not 1.5");
}

TEST(DeliveryConfig, BackoffBaseAboveMax) {
	DeliveryConfig config;
	auto problems = Parse(R"({"backoff_base_ms":5000,"backoff_max_ms":1000})", &config);
	ASSERT_EQ(problems.size(), 1u);
	EXPECT_EQ(problems[0].key, "backoff_max_ms");
}

TEST(DeliveryConfig, HugeUnsignedIsOutOfRange) {
	DeliveryConfig config;
	auto problems = Parse(R"({"max_batch_rows":18446744073709551615})", &config);
	ASSERT_EQ(problems.size(), 1u);
}

TEST(DeliveryConfig, IsEngineKey) {
	EXPECT_TRUE(IsEngineKey("include_metrics"));
	EXPECT_TRUE(IsEngineKey("backoff_max_ms"));
	EXPECT_FALSE(IsEngineKey("conninfo"));
	EXPECT_FALSE(IsEngineKey("max_batch"));
}

} // namespace
} // namespace pgwatch_rpc::delivery
