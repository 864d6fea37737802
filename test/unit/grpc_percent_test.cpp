// grpc-message percent-encoding: what must be escaped, UTF-8 repair, truncation, and the
// lenient decoder's round trip.
#include "core/grpc/percent.hpp"

#include <gtest/gtest.h>

#include <random>

using pgwatch_rpc::grpc::DecodeGrpcMessage;
using pgwatch_rpc::grpc::EncodeGrpcMessage;

TEST(GrpcPercent, EncodesWhatHeadersCannotCarry) {
	EXPECT_EQ(EncodeGrpcMessage("plain text: ok!"), "plain text: ok!");
	EXPECT_EQ(EncodeGrpcMessage("100%"), "100%25");
	EXPECT_EQ(EncodeGrpcMessage("line1\nline2\ttab"), "line1%0Aline2%09tab");
	EXPECT_EQ(EncodeGrpcMessage("caf\xC3\xA9"), "caf%C3%A9");
	EXPECT_EQ(EncodeGrpcMessage("\x7f"), "%7F");
	EXPECT_EQ(EncodeGrpcMessage("bad \xFF"), "bad %EF%BF%BD") << "invalid UTF-8 becomes U+FFFD";
}

TEST(GrpcPercent, RoundTrip) {
	std::mt19937 rng(5);
	for (int i = 0; i < 2000; i++) {
		std::string text;
		size_t n = rng() % 50;
		for (size_t k = 0; k < n; k++) {
			switch (rng() % 4) {
			case 0:
				text += "\xE2\x82\xAC";
				break;
			case 1:
				text.push_back('%');
				break;
			default:
				text.push_back(static_cast<char>(rng() % 128));
			}
		}
		std::string encoded = EncodeGrpcMessage(text, 100000);
		for (char c : encoded)
			ASSERT_TRUE(c >= 0x20 && c <= 0x7E) << encoded;
		ASSERT_EQ(DecodeGrpcMessage(encoded), text);
	}
}

TEST(GrpcPercent, TruncatesOnCharacterBoundaries) {
	std::string text(2000, 'x');
	std::string encoded = EncodeGrpcMessage(text);
	EXPECT_EQ(encoded.size(), 1024u);
	EXPECT_EQ(encoded.substr(1021), "...");
	std::string euros;
	for (int i = 0; i < 100; i++)
		euros += "\xE2\x82\xAC";
	encoded = EncodeGrpcMessage(euros, 20); // 9 bytes per character encoded
	EXPECT_EQ(encoded, "%E2%82%AC...");
	EXPECT_EQ(EncodeGrpcMessage("abc", 3), "abc") << "fits exactly: no ellipsis";
}

TEST(GrpcPercent, LenientDecoder) {
	EXPECT_EQ(DecodeGrpcMessage("a%20b"), "a b");
	EXPECT_EQ(DecodeGrpcMessage("%e2%82%ac"), "\xE2\x82\xAC");
	EXPECT_EQ(DecodeGrpcMessage("100%"), "100%");
	EXPECT_EQ(DecodeGrpcMessage("%zz%4"), "%zz%4");
	EXPECT_EQ(DecodeGrpcMessage("%%41"), "%A");
}
