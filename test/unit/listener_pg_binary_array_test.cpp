// PostgreSQL binary array encoding used for the spool's batch INSERT (spool/pg_binary_array).
// Expected bytes follow array_send: ndim, has_nulls, element OID, size, lower bound, then
// length-prefixed big-endian elements.
#include "core/spool/pg_binary_array.hpp"

#include <gtest/gtest.h>

#include <string>

namespace pgwatch_rpc::spool {
namespace {

std::string Bytes(std::initializer_list<int> values) {
	std::string out;
	for (int v : values)
		out += static_cast<char>(v);
	return out;
}

TEST(ListenerPgBinaryArray, Int8Elements) {
	BinaryArrayBuilder builder(kInt8Oid);
	builder.AddInt8(1);
	builder.AddInt8(-2);
	std::string expected = Bytes({0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 20, 0, 0, 0, 2, 0, 0, 0, 1}) +
	                       Bytes({0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 1}) +
	                       Bytes({0, 0, 0, 8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe});
	EXPECT_EQ(builder.Finish(), expected);
}

TEST(ListenerPgBinaryArray, Int4AndTextElements) {
	BinaryArrayBuilder ints(kInt4Oid);
	ints.AddInt4(0x01020304);
	EXPECT_EQ(ints.Finish(), Bytes({0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 23, 0, 0, 0, 1, 0, 0, 0, 1}) +
	                             Bytes({0, 0, 0, 4, 1, 2, 3, 4}));
	BinaryArrayBuilder texts(kTextOid);
	texts.AddBytes("ab");
	texts.AddBytes("");
	EXPECT_EQ(texts.Finish(), Bytes({0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 25, 0, 0, 0, 2, 0, 0, 0, 1}) +
	                              Bytes({0, 0, 0, 2, 'a', 'b'}) + Bytes({0, 0, 0, 0}));
}

TEST(ListenerPgBinaryArray, ByteaKeepsEveryByte) {
	BinaryArrayBuilder bytea(kByteaOid);
	std::string payload("\0\xff\n", 3);
	bytea.AddBytes(payload);
	std::string encoded = bytea.Finish();
	ASSERT_EQ(encoded.size(), 20u + 4 + 3);
	EXPECT_EQ(encoded.substr(8, 4), Bytes({0, 0, 0, 17}));
	EXPECT_EQ(encoded.substr(24), payload);
}

TEST(ListenerPgBinaryArray, EmptyArrayHasNoDimensions) {
	BinaryArrayBuilder builder(kTextOid);
	EXPECT_EQ(builder.Finish(), Bytes({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 25}));
}

TEST(ListenerPgBinaryArray, FinishResetsTheBuilder) {
	BinaryArrayBuilder builder(kInt4Oid);
	builder.AddInt4(7);
	builder.Finish();
	EXPECT_EQ(builder.count(), 0u);
	builder.AddInt4(8);
	EXPECT_EQ(builder.Finish(), Bytes({0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 23, 0, 0, 0, 1, 0, 0, 0, 1}) +
	                                Bytes({0, 0, 0, 4, 0, 0, 0, 8}));
}

} // namespace
} // namespace pgwatch_rpc::spool
