// Reply encoding checked against libprotobuf's parser, and the 5-byte framing.
#include "core/grpc/reply.hpp"

#include "pgwatch.pb.h"

#include <gtest/gtest.h>

using namespace pgwatch_rpc::grpc;

TEST(GrpcReply, EncodesLogmsgLikeLibprotobuf) {
	for (std::string msg : {std::string(), std::string("ok"), std::string(300, 'x'), std::string(70000, 'y'),
	                        std::string("caf\xC3\xA9\nline")}) {
		std::string bytes = EncodeReply(msg);
		Reply reply;
		reply.set_logmsg(msg);
		EXPECT_EQ(bytes, reply.SerializeAsString()) << msg.size();
		Reply parsed;
		ASSERT_TRUE(parsed.ParseFromString(bytes));
		EXPECT_EQ(parsed.logmsg(), msg);
	}
}

TEST(GrpcReply, InvalidUtf8IsRepaired) {
	Reply parsed;
	ASSERT_TRUE(parsed.ParseFromString(EncodeReply("bad \xFF")));
	EXPECT_EQ(parsed.logmsg(), "bad \xEF\xBF\xBD");
}

TEST(GrpcReply, Framing) {
	EXPECT_EQ(FrameMessage(""), std::string("\0\0\0\0\0", 5));
	std::string framed = EncodeReplyFrame("ok");
	EXPECT_EQ(framed, std::string("\0\0\0\0\x04\x0a\x02ok", 9));
	std::string big(300, 'z');
	framed = FrameMessage(big);
	EXPECT_EQ(framed.substr(0, 5), std::string("\0\0\0\x01\x2c", 5));
	EXPECT_EQ(framed.substr(5), big);
}
