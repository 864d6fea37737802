// Metadata: which headers are metadata, ASCII value sanitation, base64 for -bin keys
// (padded, unpadded, comma-joined) and its encoder.
#include "core/grpc/metadata.hpp"

#include <gtest/gtest.h>

#include <random>

using namespace pgwatch_rpc::grpc;

TEST(GrpcMetadata, KeyClassification) {
	EXPECT_TRUE(IsBinaryKey("x-trace-bin"));
	EXPECT_FALSE(IsBinaryKey("bin"));
	EXPECT_FALSE(IsBinaryKey("x-binary"));
	EXPECT_TRUE(IsMetadataKey("username"));
	EXPECT_TRUE(IsMetadataKey("password"));
	EXPECT_TRUE(IsMetadataKey("authorization"));
	for (const char *transport : {":path", ":authority", "content-type", "te", "user-agent", "grpc-timeout",
	                              "grpc-encoding", "grpc-accept-encoding", "grpc-foo", "accept-encoding", ""})
		EXPECT_FALSE(IsMetadataKey(transport)) << transport;
}

TEST(GrpcMetadata, AsciiValues) {
	std::string_view out;
	ASSERT_TRUE(SanitizeAsciiValue("  secret value \t", &out));
	EXPECT_EQ(out, "secret value");
	ASSERT_TRUE(SanitizeAsciiValue("", &out));
	EXPECT_EQ(out, "") << "an empty password is a value, not an absence";
	ASSERT_TRUE(SanitizeAsciiValue("   ", &out));
	EXPECT_EQ(out, "");
	EXPECT_FALSE(SanitizeAsciiValue("a\x01"
	                                "b",
	                                &out));
	EXPECT_FALSE(SanitizeAsciiValue("caf\xC3\xA9", &out));
	EXPECT_FALSE(SanitizeAsciiValue("a\x7f", &out));
	ASSERT_TRUE(SanitizeAsciiValue("~!@#$%^&*()", &out));
}

TEST(GrpcMetadata, Base64Decoding) {
	std::vector<std::string> out;
	ASSERT_TRUE(DecodeBinaryValue("aGVsbG8=", &out));
	ASSERT_TRUE(DecodeBinaryValue("aGVsbG8", &out));
	ASSERT_TRUE(DecodeBinaryValue("aGk=, aGk", &out));
	ASSERT_TRUE(DecodeBinaryValue("", &out));
	ASSERT_TRUE(DecodeBinaryValue("AP8=", &out));
	ASSERT_EQ(out.size(), 6u);
	EXPECT_EQ(out[0], "hello");
	EXPECT_EQ(out[1], "hello");
	EXPECT_EQ(out[2], "hi");
	EXPECT_EQ(out[3], "hi");
	EXPECT_EQ(out[4], "");
	EXPECT_EQ(out[5], std::string("\0\xff", 2));
	for (const char *bad : {"a", "aGk=x", "a===", "aG=k", "a-_b", "aGk=,*"}) {
		std::vector<std::string> none;
		EXPECT_FALSE(DecodeBinaryValue(bad, &none)) << bad;
		EXPECT_TRUE(none.empty()) << bad;
	}
}

TEST(GrpcMetadata, Base64RoundTrip) {
	std::mt19937 rng(9);
	for (int i = 0; i < 500; i++) {
		std::string bytes;
		size_t n = rng() % 40;
		for (size_t k = 0; k < n; k++)
			bytes.push_back(static_cast<char>(rng()));
		std::string encoded = EncodeBinaryValue(bytes);
		EXPECT_EQ(encoded.size() % 4, 0u);
		std::vector<std::string> out;
		ASSERT_TRUE(DecodeBinaryValue(encoded, &out));
		ASSERT_EQ(out.size(), 1u);
		EXPECT_EQ(out[0], bytes);
		std::string unpadded = encoded.substr(0, encoded.find('='));
		out.clear();
		ASSERT_TRUE(DecodeBinaryValue(unpadded, &out));
		EXPECT_EQ(out[0], bytes);
	}
	EXPECT_EQ(EncodeBinaryValue("hello"), "aGVsbG8=");
	EXPECT_EQ(EncodeBinaryValue("hi"), "aGk=");
	EXPECT_EQ(EncodeBinaryValue("abc"), "YWJj");
}
