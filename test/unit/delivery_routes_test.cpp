// Unit tests of glob routing and of the backoff delay.
#include "core/delivery/backoff.hpp"
#include "core/delivery/routes.hpp"

#include <gtest/gtest.h>

namespace pgwatch_rpc::delivery {
namespace {

sink::Record Rec(sink::RecordKind kind, const char *dbname, const char *metric) {
	sink::Record r;
	r.kind = kind;
	r.dbname = dbname;
	r.metric = metric;
	return r;
}

TEST(DeliveryRoutes, IncludeAndExclude) {
	DeliveryConfig config;
	config.include_metrics = {"db_*", "wal"};
	config.exclude_metrics = {"db_size"};
	config.exclude_sources = {"test*"};
	auto m = sink::RecordKind::kMeasurement;
	EXPECT_TRUE(Routed(config, false, Rec(m, "prod", "db_stats")));
	EXPECT_TRUE(Routed(config, false, Rec(m, "prod", "wal")));
	EXPECT_FALSE(Routed(config, false, Rec(m, "prod", "db_size")));
	EXPECT_FALSE(Routed(config, false, Rec(m, "prod", "cpu")));
	EXPECT_FALSE(Routed(config, false, Rec(m, "test1", "wal")));
}

TEST(DeliveryRoutes, ControlRecords) {
	DeliveryConfig config;
	config.include_metrics = {"wal"};
	EXPECT_FALSE(Routed(config, false, Rec(sink::RecordKind::kSync, "db", "wal")));
	EXPECT_TRUE(Routed(config, true, Rec(sink::RecordKind::kSync, "db", "wal")));
	EXPECT_FALSE(Routed(config, true, Rec(sink::RecordKind::kSync, "db", "cpu")));
	EXPECT_FALSE(Routed(config, false, Rec(sink::RecordKind::kDefine, "", "")));
	EXPECT_TRUE(Routed(config, true, Rec(sink::RecordKind::kDefine, "", "")));
}

TEST(DeliveryBackoff, FullJitterWithinDoublingCap) {
	uint64_t seen_bound = 0;
	RandomBelow top = [&](uint64_t bound) {
		seen_bound = bound;
		return bound - 1;
	};
	EXPECT_EQ(BackoffDelayMs(500, 60000, 1, -1, top), 500);
	EXPECT_EQ(BackoffDelayMs(500, 60000, 2, -1, top), 1000);
	EXPECT_EQ(BackoffDelayMs(500, 60000, 4, -1, top), 4000);
	EXPECT_EQ(BackoffDelayMs(500, 60000, 8, -1, top), 60000);
	EXPECT_EQ(BackoffDelayMs(500, 60000, 1000000, -1, top), 60000);
	EXPECT_EQ(seen_bound, 60001u);
	RandomBelow zero = [](uint64_t) { return uint64_t{0}; };
	EXPECT_EQ(BackoffDelayMs(500, 60000, 3, -1, zero), 0);
}

TEST(DeliveryBackoff, RetryAfterIsAFloor) {
	RandomBelow zero = [](uint64_t) { return uint64_t{0}; };
	EXPECT_EQ(BackoffDelayMs(500, 60000, 1, 7000, zero), 7000);
	EXPECT_EQ(BackoffDelayMs(500, 1000, 1, 120000, zero), 120000);
	EXPECT_EQ(BackoffDelayMs(500, 1000, 1, int64_t{1} << 40, zero), kMaxRetryAfterMs);
	RandomBelow top = [](uint64_t bound) { return bound - 1; };
	EXPECT_EQ(BackoffDelayMs(500, 60000, 3, 100, top), 2000);
}

TEST(DeliveryBackoff, DefaultRandomStaysBelowBound) {
	RandomBelow random = DefaultRandom();
	for (int i = 0; i < 1000; i++)
		EXPECT_LT(random(7), 7u);
	EXPECT_EQ(random(1), 0u);
}

} // namespace
} // namespace pgwatch_rpc::delivery
