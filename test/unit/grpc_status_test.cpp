// Status code names and wire numbers (GRPC.md §15).
#include "core/grpc/status.hpp"

#include <gtest/gtest.h>

using namespace pgwatch_rpc::grpc;

TEST(GrpcStatus, NamesAndNumbers) {
	EXPECT_EQ(StatusName(StatusCode::kOk), "OK");
	EXPECT_EQ(StatusName(StatusCode::kInvalidArgument), "INVALID_ARGUMENT");
	EXPECT_EQ(StatusName(StatusCode::kResourceExhausted), "RESOURCE_EXHAUSTED");
	EXPECT_EQ(StatusName(StatusCode::kUnauthenticated), "UNAUTHENTICATED");
	EXPECT_EQ(StatusName(static_cast<StatusCode>(99)), "UNKNOWN");
	EXPECT_EQ(static_cast<int>(StatusCode::kUnimplemented), 12);
	EXPECT_EQ(static_cast<int>(StatusCode::kInternal), 13);
	EXPECT_EQ(static_cast<int>(StatusCode::kUnavailable), 14);
	for (int code = 0; code <= 16; code++)
		EXPECT_NE(StatusName(static_cast<StatusCode>(code)), "") << code;
}
