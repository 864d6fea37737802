// grpc-timeout grammar, units, saturation and clamping.
#include "core/grpc/timeout.hpp"

#include <gtest/gtest.h>

using namespace std::chrono_literals;
using pgwatch_rpc::grpc::kMaxGrpcTimeout;
using pgwatch_rpc::grpc::ParseGrpcTimeout;
using pgwatch_rpc::grpc::TimeoutOutcome;

TEST(GrpcTimeout, AllUnits) {
	EXPECT_EQ(ParseGrpcTimeout("2H").value, 2h);
	EXPECT_EQ(ParseGrpcTimeout("3M").value, 3min);
	EXPECT_EQ(ParseGrpcTimeout("4S").value, 4s);
	EXPECT_EQ(ParseGrpcTimeout("5m").value, 5ms);
	EXPECT_EQ(ParseGrpcTimeout("6u").value, 6us);
	EXPECT_EQ(ParseGrpcTimeout("7n").value, 7ns);
	EXPECT_EQ(ParseGrpcTimeout("12345678m").value, 12345678ms);
	EXPECT_EQ(ParseGrpcTimeout("00000001S").value, 1s);
	EXPECT_EQ(ParseGrpcTimeout("1S").outcome, TimeoutOutcome::kOk);
}

TEST(GrpcTimeout, AbsentZeroAndSpaces) {
	EXPECT_EQ(ParseGrpcTimeout(std::nullopt).outcome, TimeoutOutcome::kAbsent);
	auto zero = ParseGrpcTimeout("0m");
	EXPECT_EQ(zero.outcome, TimeoutOutcome::kOk);
	EXPECT_EQ(zero.value, 0ns);
	EXPECT_EQ(ParseGrpcTimeout(" 10S ").value, 10s) << "surrounding spaces tolerated like grpc-js";
}

TEST(GrpcTimeout, SaturatesAndClamps) {
	auto huge = ParseGrpcTimeout("99999999H");
	EXPECT_EQ(huge.outcome, TimeoutOutcome::kOk);
	EXPECT_EQ(huge.value, kMaxGrpcTimeout);
	EXPECT_EQ(ParseGrpcTimeout("99999999n").value, 99999999ns);
	EXPECT_EQ(ParseGrpcTimeout("2H", 1h).value, 1h);
	EXPECT_EQ(ParseGrpcTimeout("721H").value, kMaxGrpcTimeout);
	EXPECT_EQ(ParseGrpcTimeout("720H").value, 720h);
}

TEST(GrpcTimeout, Malformed) {
	for (const char *bad : {"", "S", "1", "1x", "-1S", "+1S", "1.5S", "1 S", "123456789S", "1s", "1h", "abcS",
	                        "1SS", " ", "0x1S"})
		EXPECT_EQ(ParseGrpcTimeout(bad).outcome, TimeoutOutcome::kMalformed) << '"' << bad << '"';
}
