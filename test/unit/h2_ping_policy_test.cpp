// PING strike accounting (h2/ping_policy, GRPC.md §11).
#include "core/h2/ping_policy.hpp"

#include <gtest/gtest.h>

namespace pgwatch_rpc::h2 {
namespace {
constexpr int64_t kMinute = 60'000'000;

TEST(H2PingPolicy, FrequentPingsDuringCallsStrikeOut) {
	PingPolicy policy(5 * kMinute, false, 2);
	EXPECT_FALSE(policy.OnPing(0, true));
	EXPECT_FALSE(policy.OnPing(1, true));
	EXPECT_FALSE(policy.OnPing(2, true));
	EXPECT_TRUE(policy.OnPing(3, true));
}

TEST(H2PingPolicy, SpacedPingsAreFine) {
	PingPolicy policy(5 * kMinute, false, 2);
	for (int i = 0; i < 10; i++)
		EXPECT_FALSE(policy.OnPing(i * 6 * kMinute, true));
}

TEST(H2PingPolicy, WithoutCallsTheFloorIsTwoHoursUnlessPermitted) {
	PingPolicy strict(5 * kMinute, false, 2);
	PingPolicy lenient(5 * kMinute, true, 2);
	bool strict_out = false, lenient_out = false;
	for (int i = 0; i < 4; i++) {
		strict_out = strict.OnPing(i * 10 * kMinute, false) || strict_out;
		lenient_out = lenient.OnPing(i * 10 * kMinute, false) || lenient_out;
	}
	EXPECT_TRUE(strict_out);
	EXPECT_FALSE(lenient_out);
}

TEST(H2PingPolicy, SendingDataResetsStrikes) {
	PingPolicy policy(5 * kMinute, false, 2);
	for (int i = 0; i < 10; i++) {
		EXPECT_FALSE(policy.OnPing(i, true));
		policy.OnSentHeadersOrData();
	}
	EXPECT_EQ(policy.strikes(), 0);
}

} // namespace
} // namespace pgwatch_rpc::h2
