// FailureThrottle: blocking after too many failures, window expiry, log rate limiting,
// reset on success and the bound on tracked peers.
#include "core/auth/failure_throttle.hpp"

#include <gtest/gtest.h>

namespace pgwatch_rpc::auth {
namespace {

constexpr int64_t kSecond = 1'000'000;

TEST(AuthFailureThrottle, BlocksAfterMoreThanMaxFailures) {
	FailureThrottle throttle(3, 60 * kSecond);
	for (int i = 0; i < 3; i++) {
		EXPECT_FALSE(throttle.Blocked("10.0.0.1", i));
		throttle.RecordFailure("10.0.0.1", i);
	}
	EXPECT_FALSE(throttle.Blocked("10.0.0.1", 3));
	throttle.RecordFailure("10.0.0.1", 3);
	EXPECT_TRUE(throttle.Blocked("10.0.0.1", 4));
	EXPECT_FALSE(throttle.Blocked("10.0.0.2", 4));
}

TEST(AuthFailureThrottle, WindowExpires) {
	FailureThrottle throttle(1, 10 * kSecond);
	throttle.RecordFailure("p", 0);
	throttle.RecordFailure("p", 1);
	EXPECT_TRUE(throttle.Blocked("p", 10 * kSecond - 1));
	EXPECT_FALSE(throttle.Blocked("p", 10 * kSecond));
	EXPECT_EQ(throttle.tracked_peers(), 0u);
}

TEST(AuthFailureThrottle, LogsFirstFailureOfEachWindow) {
	FailureThrottle throttle(100, 10 * kSecond);
	EXPECT_TRUE(throttle.RecordFailure("p", 0));
	for (int i = 1; i < 50; i++)
		EXPECT_FALSE(throttle.RecordFailure("p", i * 1000));
	EXPECT_TRUE(throttle.RecordFailure("q", 5));
	EXPECT_TRUE(throttle.RecordFailure("p", 10 * kSecond));
	EXPECT_FALSE(throttle.RecordFailure("p", 10 * kSecond + 1));
}

TEST(AuthFailureThrottle, SuccessForgetsThePeer) {
	FailureThrottle throttle(1, 60 * kSecond);
	throttle.RecordFailure("p", 0);
	throttle.RecordFailure("p", 1);
	EXPECT_TRUE(throttle.Blocked("p", 2));
	throttle.RecordSuccess("p");
	EXPECT_FALSE(throttle.Blocked("p", 3));
	EXPECT_TRUE(throttle.RecordFailure("p", 4));
}

TEST(AuthFailureThrottle, TrackedPeersAreBounded) {
	FailureThrottle throttle(1, 60 * kSecond, 100);
	for (int i = 0; i < 1000; i++)
		throttle.RecordFailure("peer" + std::to_string(i), i);
	EXPECT_EQ(throttle.tracked_peers(), 100u);
	// Once the old windows are over, new peers are tracked again.
	throttle.RecordFailure("late", 61 * kSecond);
	EXPECT_EQ(throttle.tracked_peers(), 1u);
}

TEST(AuthFailureThrottle, ManyFailuresDoNotOverflow) {
	FailureThrottle throttle(2, 1000 * kSecond);
	for (int i = 0; i < 100000; i++)
		throttle.RecordFailure("p", i);
	EXPECT_TRUE(throttle.Blocked("p", 100000));
}

} // namespace
} // namespace pgwatch_rpc::auth
