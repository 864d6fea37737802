// The unary message reader: prefix split at every offset, limits checked before any
// allocation, lying prefixes, compressed messages (gzip, deflate = zlib, bombs, corrupt
// data, concatenated gzip members), cardinality.
#include "core/grpc/framing.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <random>
#include <string>

using pgwatch_rpc::grpc::CallStatus;
using pgwatch_rpc::grpc::MessageEncoding;
using pgwatch_rpc::grpc::ParseMessageEncoding;
using pgwatch_rpc::grpc::StatusCode;
using pgwatch_rpc::grpc::UnaryMessageReader;

namespace {

std::string Frame(const std::string &payload, uint8_t flag = 0) {
	std::string out(1, static_cast<char>(flag));
	uint32_t n = static_cast<uint32_t>(payload.size());
	for (int shift = 24; shift >= 0; shift -= 8)
		out.push_back(static_cast<char>(n >> shift));
	return out + payload;
}

std::string Prefix(uint32_t length, uint8_t flag = 0) {
	std::string out(1, static_cast<char>(flag));
	for (int shift = 24; shift >= 0; shift -= 8)
		out.push_back(static_cast<char>(length >> shift));
	return out;
}

// Compress with zlib: window_bits 15 = zlib format (gRPC "deflate"), 31 = gzip.
std::string Compress(const std::string &data, int window_bits) {
	z_stream strm{};
	EXPECT_EQ(deflateInit2(&strm, 9, Z_DEFLATED, window_bits, 9, Z_DEFAULT_STRATEGY), Z_OK);
	std::string out(deflateBound(&strm, data.size()) + 32, '\0');
	strm.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.data()));
	strm.avail_in = static_cast<uInt>(data.size());
	strm.next_out = reinterpret_cast<Bytef *>(&out[0]);
	strm.avail_out = static_cast<uInt>(out.size());
	EXPECT_EQ(deflate(&strm, Z_FINISH), Z_STREAM_END);
	out.resize(strm.total_out);
	deflateEnd(&strm);
	return out;
}

CallStatus FeedAll(UnaryMessageReader &reader, const std::string &bytes, size_t chunk = SIZE_MAX) {
	for (size_t at = 0; at < bytes.size(); at += chunk) {
		size_t n = std::min(chunk, bytes.size() - at);
		CallStatus s = reader.Feed(reinterpret_cast<const uint8_t *>(bytes.data()) + at, n);
		if (!s.ok())
			return s;
	}
	return reader.Finish();
}

} // namespace

TEST(GrpcFraming, SplitAtEveryOffset) {
	std::string payload = "hello, pgwatch: a message that is long enough to matter";
	std::string bytes = Frame(payload);
	for (size_t cut = 0; cut <= bytes.size(); cut++) {
		UnaryMessageReader reader(1024, MessageEncoding::kIdentity);
		const auto *p = reinterpret_cast<const uint8_t *>(bytes.data());
		ASSERT_TRUE(reader.Feed(p, cut).ok());
		ASSERT_TRUE(reader.Feed(p + cut, bytes.size() - cut).ok());
		CallStatus s = reader.Finish();
		ASSERT_TRUE(s.ok()) << cut << ": " << s.message;
		EXPECT_EQ(reader.message(), payload);
	}
	UnaryMessageReader bytewise(1024, MessageEncoding::kIdentity);
	ASSERT_TRUE(FeedAll(bytewise, bytes, 1).ok());
	EXPECT_EQ(bytewise.TakeMessage(), payload);
}

TEST(GrpcFraming, EmptyMessageIsOneMessage) {
	UnaryMessageReader reader(16, MessageEncoding::kIdentity);
	ASSERT_TRUE(FeedAll(reader, Frame("")).ok());
	EXPECT_EQ(reader.message(), "");
}

TEST(GrpcFraming, SizeLimitExactlyAndOverWithoutAllocating) {
	UnaryMessageReader at_limit(100, MessageEncoding::kIdentity);
	ASSERT_TRUE(FeedAll(at_limit, Frame(std::string(100, 'x'))).ok());

	UnaryMessageReader over(100, MessageEncoding::kIdentity);
	std::string prefix = Prefix(101);
	CallStatus s = over.Feed(reinterpret_cast<const uint8_t *>(prefix.data()), prefix.size());
	EXPECT_EQ(s.code, StatusCode::kResourceExhausted);
	EXPECT_EQ(s.message, "received message larger than max (101 vs. 100)");
	EXPECT_EQ(over.message().capacity(), std::string().capacity())
	    << "nothing allocated for a refused length";
	// The failure is final.
	EXPECT_EQ(over.Feed(reinterpret_cast<const uint8_t *>("x"), 1).code, StatusCode::kResourceExhausted);
	EXPECT_EQ(over.Finish().code, StatusCode::kResourceExhausted);

	UnaryMessageReader huge(64u << 20, MessageEncoding::kIdentity);
	prefix = Prefix(0xFFFFFFFFu);
	s = huge.Feed(reinterpret_cast<const uint8_t *>(prefix.data()), prefix.size());
	EXPECT_EQ(s.message, "received message larger than max (4294967295 vs. 67108864)");
}

TEST(GrpcFraming, LyingPrefixCostsOnlyWhatWasSent) {
	UnaryMessageReader reader(64u << 20, MessageEncoding::kIdentity);
	std::string bytes = Prefix(60u << 20) + std::string(1000, 'x');
	ASSERT_TRUE(reader.Feed(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size()).ok());
	EXPECT_LT(reader.message().capacity(), 4096u) << "buffer grows with the data, not with the claim";
	EXPECT_EQ(reader.received_bytes(), 1000u);
	CallStatus s = reader.Finish();
	EXPECT_EQ(s.code, StatusCode::kInternal);
	EXPECT_EQ(s.message, "request ended inside a message (1000 of 62914560 bytes received)");
}

TEST(GrpcFraming, Cardinality) {
	UnaryMessageReader none(16, MessageEncoding::kIdentity);
	CallStatus s = none.Finish();
	EXPECT_EQ(s.code, StatusCode::kUnimplemented);

	UnaryMessageReader partial_prefix(16, MessageEncoding::kIdentity);
	ASSERT_TRUE(partial_prefix.Feed(reinterpret_cast<const uint8_t *>("\0\0"), 2).ok());
	s = partial_prefix.Finish();
	EXPECT_EQ(s.code, StatusCode::kInternal);
	EXPECT_NE(s.message.find("2 of 5 bytes"), std::string::npos);

	UnaryMessageReader two(16, MessageEncoding::kIdentity);
	std::string bytes = Frame("one") + Frame("two");
	s = two.Feed(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size());
	EXPECT_EQ(s.code, StatusCode::kUnimplemented);
	EXPECT_NE(s.message.find("second request message"), std::string::npos);

	// The second message is refused as soon as its first byte arrives.
	UnaryMessageReader early(16, MessageEncoding::kIdentity);
	bytes = Frame("one");
	ASSERT_TRUE(early.Feed(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size()).ok());
	EXPECT_EQ(early.Feed(reinterpret_cast<const uint8_t *>("\0"), 1).code, StatusCode::kUnimplemented);
}

TEST(GrpcFraming, FlagByteChecks) {
	UnaryMessageReader bad_flag(16, MessageEncoding::kIdentity);
	CallStatus s = FeedAll(bad_flag, Frame("x", 2));
	EXPECT_EQ(s.code, StatusCode::kInternal);
	EXPECT_NE(s.message.find("compressed-flag byte 2"), std::string::npos);

	UnaryMessageReader no_encoding(16, MessageEncoding::kIdentity);
	s = FeedAll(no_encoding, Frame("x", 1));
	EXPECT_EQ(s.code, StatusCode::kInternal);
	EXPECT_NE(s.message.find("identity or absent"), std::string::npos);

	// Flag 0 under a negotiated encoding is an uncompressed message: allowed.
	UnaryMessageReader plain(16, MessageEncoding::kGzip);
	ASSERT_TRUE(FeedAll(plain, Frame("raw")).ok());
	EXPECT_EQ(plain.message(), "raw");
}

TEST(GrpcFraming, GzipAndDeflateAtEveryChunkSize) {
	std::string payload;
	std::mt19937 rng(3);
	for (int i = 0; i < 20000; i++)
		payload.push_back(static_cast<char>('a' + rng() % 6));
	for (auto [encoding, bits] :
	     {std::pair{MessageEncoding::kGzip, 31}, std::pair{MessageEncoding::kDeflate, 15}}) {
		std::string bytes = Frame(Compress(payload, bits), 1);
		for (size_t chunk : {size_t{1}, size_t{7}, size_t{4096}, SIZE_MAX}) {
			UnaryMessageReader reader(payload.size(), encoding);
			CallStatus s = FeedAll(reader, bytes, chunk);
			ASSERT_TRUE(s.ok()) << s.message;
			EXPECT_EQ(reader.message(), payload);
		}
		UnaryMessageReader one_short(payload.size() - 1, encoding);
		CallStatus s = FeedAll(one_short, bytes);
		EXPECT_EQ(s.code, StatusCode::kResourceExhausted);
	}
}

TEST(GrpcFraming, GzipBombStopsAtTheLimit) {
	// ~1 GiB of zeros compresses to about 1 MB; feed only what is needed to trip the cap.
	std::string zeros(64u << 20, '\0');
	std::string bomb = Compress(zeros, 31);
	ASSERT_LT(bomb.size(), 100000u);
	UnaryMessageReader reader(4u << 20, MessageEncoding::kGzip);
	std::string bytes = Frame(bomb, 1);
	CallStatus s = reader.Feed(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size());
	EXPECT_EQ(s.code, StatusCode::kResourceExhausted);
	EXPECT_EQ(s.message, "decompressed message larger than max (more than 4194304 bytes)");
	EXPECT_EQ(reader.message().capacity(), std::string().capacity()) << "the buffer is released on failure";
}

TEST(GrpcFraming, CorruptOrTruncatedCompressedData) {
	std::string good = Compress("hello hello hello", 31);
	std::string corrupt = good;
	corrupt[good.size() / 2] = static_cast<char>(corrupt[good.size() / 2] ^ 0x55);
	corrupt[3] = static_cast<char>(0xFF); // header flags with reserved bits: a sure error
	UnaryMessageReader r1(1024, MessageEncoding::kGzip);
	EXPECT_EQ(FeedAll(r1, Frame(corrupt, 1)).code, StatusCode::kInternal);

	UnaryMessageReader r2(1024, MessageEncoding::kGzip);
	CallStatus s = FeedAll(r2, Frame(good.substr(0, good.size() - 4), 1));
	EXPECT_EQ(s.code, StatusCode::kInternal);
	EXPECT_NE(s.message.find("truncated"), std::string::npos) << s.message;

	// gzip data announced as deflate (zlib format) is refused.
	UnaryMessageReader r3(1024, MessageEncoding::kDeflate);
	EXPECT_EQ(FeedAll(r3, Frame(good, 1)).code, StatusCode::kInternal);

	// Data after the end of a zlib stream.
	UnaryMessageReader r4(1024, MessageEncoding::kDeflate);
	EXPECT_EQ(FeedAll(r4, Frame(Compress("x", 15) + "junk", 1)).code, StatusCode::kInternal);

	// An empty compressed payload is not a valid stream.
	UnaryMessageReader r5(1024, MessageEncoding::kGzip);
	EXPECT_EQ(FeedAll(r5, Frame("", 1)).code, StatusCode::kInternal);
}

TEST(GrpcFraming, ConcatenatedGzipMembers) {
	UnaryMessageReader reader(1024, MessageEncoding::kGzip);
	std::string two = Compress("first,", 31) + Compress("second", 31);
	ASSERT_TRUE(FeedAll(reader, Frame(two, 1), 3).ok());
	EXPECT_EQ(reader.message(), "first,second");
}

TEST(GrpcFraming, ParseMessageEncoding) {
	MessageEncoding e;
	ASSERT_TRUE(ParseMessageEncoding("", &e));
	EXPECT_EQ(e, MessageEncoding::kIdentity);
	ASSERT_TRUE(ParseMessageEncoding("identity", &e));
	EXPECT_EQ(e, MessageEncoding::kIdentity);
	ASSERT_TRUE(ParseMessageEncoding("gzip", &e));
	EXPECT_EQ(e, MessageEncoding::kGzip);
	ASSERT_TRUE(ParseMessageEncoding("GZIP", &e));
	ASSERT_TRUE(ParseMessageEncoding("deflate", &e));
	EXPECT_EQ(e, MessageEncoding::kDeflate);
	EXPECT_FALSE(ParseMessageEncoding("snappy", &e));
	EXPECT_FALSE(ParseMessageEncoding("gzip, deflate", &e));
}

TEST(GrpcFraming, RandomChunkingFuzz) {
	std::mt19937 rng(11);
	for (int i = 0; i < 2000; i++) {
		std::string bytes;
		size_t n = rng() % 40;
		for (size_t k = 0; k < n; k++)
			bytes.push_back(static_cast<char>(rng() % 4 == 0 ? rng() : rng() % 3));
		UnaryMessageReader reader(16, rng() % 2 ? MessageEncoding::kIdentity : MessageEncoding::kGzip);
		CallStatus s = FeedAll(reader, bytes, 1 + rng() % 5);
		if (s.ok()) {
			EXPECT_LE(reader.message().size(), 16u);
		}
	}
}
