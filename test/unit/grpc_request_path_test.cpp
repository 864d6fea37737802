// Method routing by :path and content-type classification.
#include "core/grpc/request_path.hpp"

#include <gtest/gtest.h>

using namespace pgwatch_rpc::grpc;

TEST(GrpcRequestPath, ExactCaseSensitiveMethods) {
	EXPECT_EQ(ParseMethodPath("/Receiver/UpdateMeasurements"), Method::kUpdateMeasurements);
	EXPECT_EQ(ParseMethodPath("/Receiver/SyncMetric"), Method::kSyncMetric);
	EXPECT_EQ(ParseMethodPath("/Receiver/DefineMetrics"), Method::kDefineMetrics);
	for (const char *bad :
	     {"/receiver/SyncMetric", "/Receiver/syncMetric", "/pgwatch.Receiver/SyncMetric",
	      "/Receiver/SyncMetric/", "Receiver/SyncMetric", "/Receiver/SyncMetric?x", "", "/"})
		EXPECT_EQ(ParseMethodPath(bad), Method::kUnknown) << bad;
	EXPECT_EQ(MethodName(Method::kSyncMetric), "SyncMetric");
	EXPECT_EQ(MethodName(Method::kUnknown), "unknown");
}

TEST(GrpcRequestPath, UnknownMethodMessages) {
	EXPECT_EQ(
	    UnknownMethodMessage("/Receiver/Foo"),
	    "unknown method \"Foo\" for service Receiver (known: UpdateMeasurements, SyncMetric, DefineMetrics)");
	EXPECT_EQ(UnknownMethodMessage("/pgwatch.Receiver/SyncMetric"),
	          "unknown service \"pgwatch.Receiver\" (this server implements Receiver)");
	EXPECT_EQ(UnknownMethodMessage("nonsense"), "malformed method name: \"nonsense\"");
	EXPECT_EQ(UnknownMethodMessage("/"), "malformed method name: \"/\"");
	std::string hostile = "/Receiver/" + std::string(5000, 'x') + "\n";
	EXPECT_LT(UnknownMethodMessage(hostile).size(), 200u);
}

TEST(GrpcRequestPath, ContentTypes) {
	bool plus_proto = true;
	EXPECT_EQ(CheckContentType("application/grpc", &plus_proto), ContentTypeCheck::kGrpcProto);
	EXPECT_FALSE(plus_proto);
	EXPECT_EQ(CheckContentType("application/grpc+proto", &plus_proto), ContentTypeCheck::kGrpcProto);
	EXPECT_TRUE(plus_proto);
	EXPECT_EQ(CheckContentType("application/grpc;charset=utf-8", nullptr), ContentTypeCheck::kGrpcProto);
	EXPECT_EQ(CheckContentType("application/grpc+proto; x=y", nullptr), ContentTypeCheck::kGrpcProto);
	EXPECT_EQ(CheckContentType("Application/GRPC", nullptr), ContentTypeCheck::kGrpcProto);
	EXPECT_EQ(CheckContentType("application/grpc+", nullptr), ContentTypeCheck::kGrpcProto);
	EXPECT_EQ(CheckContentType("application/grpc+json", nullptr), ContentTypeCheck::kUnsupportedCodec);
	EXPECT_EQ(CheckContentType("application/grpc+json;x", nullptr), ContentTypeCheck::kUnsupportedCodec);
	for (const char *bad : {"", "application/json", "text/plain", "application/grpcfoo", "application/grp",
	                        "application/grpc-web", "application/grpc-web+proto"})
		EXPECT_EQ(CheckContentType(bad, nullptr), ContentTypeCheck::kNotGrpc) << bad;
}
