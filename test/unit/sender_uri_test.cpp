// ParseSinkUri and PercentDecode: pgwatch's gRPC sink URI as Go's net/url reads it.
#include "sender/sink_uri.hpp"

#include <gtest/gtest.h>

using pgwatch_rpc::sender::ParseSinkUri;
using pgwatch_rpc::sender::PercentDecode;
using pgwatch_rpc::sender::SinkUri;

namespace {

SinkUri Parse(const std::string &uri) {
	SinkUri out;
	std::string problem = ParseSinkUri(uri, &out);
	EXPECT_EQ(problem, "") << uri;
	return out;
}

std::string Problem(const std::string &uri) {
	SinkUri out;
	std::string problem = ParseSinkUri(uri, &out);
	EXPECT_EQ(out.host, "") << "a failed parse leaves nothing behind";
	return problem;
}

} // namespace

TEST(SenderUri, TheDemoUri) {
	SinkUri u = Parse("grpc://default:s3cret@localhost:5051/?sslrootca=/tmp/demo/ca.pem");
	EXPECT_EQ(u.username, "default");
	EXPECT_EQ(u.password, "s3cret");
	EXPECT_EQ(u.host, "localhost");
	EXPECT_EQ(u.port, "5051");
	EXPECT_EQ(u.target, "localhost:5051");
	EXPECT_TRUE(u.tls);
	EXPECT_EQ(u.ca_file, "/tmp/demo/ca.pem");
}

TEST(SenderUri, TlsOnlyWithSslrootca) {
	SinkUri u = Parse("grpc://k:s@hub.example:5051/");
	EXPECT_FALSE(u.tls);
	EXPECT_EQ(u.ca_file, "");
	EXPECT_FALSE(Parse("grpc://k:s@hub.example:5051").tls);
	EXPECT_FALSE(Parse("grpc://k:s@hub.example:5051/?other=1").tls);
	EXPECT_TRUE(Parse("grpc://k:s@hub.example:5051/?a=1&sslrootca=ca.pem&b=2").tls);
}

TEST(SenderUri, FirstSslrootcaWins) {
	EXPECT_EQ(Parse("grpc://h:1/?sslrootca=a.pem&sslrootca=b.pem").ca_file, "a.pem");
}

TEST(SenderUri, UserInfoIsPercentDecoded) {
	SinkUri u = Parse("grpc://dc%201:p%40ss%3Aw+rd@h:1/");
	EXPECT_EQ(u.username, "dc 1");
	EXPECT_EQ(u.password, "p@ss:w+rd") << "'+' is literal outside the query";
}

TEST(SenderUri, PasswordMaySplitAtTheLastAt) {
	SinkUri u = Parse("grpc://key:a@b@h:1/");
	EXPECT_EQ(u.password, "a@b");
	EXPECT_EQ(u.host, "h");
}

TEST(SenderUri, PasswordMayContainColons) {
	EXPECT_EQ(Parse("grpc://key:a:b:c@h:1/").password, "a:b:c");
}

TEST(SenderUri, NoUserInfoMeansEmptyCredentials) {
	SinkUri u = Parse("grpc://h:1/");
	EXPECT_EQ(u.username, "");
	EXPECT_EQ(u.password, "");
	EXPECT_EQ(Parse("grpc://onlyuser@h:1/").username, "onlyuser");
}

TEST(SenderUri, QueryValuesAreFormDecoded) {
	EXPECT_EQ(Parse("grpc://h:1/?sslrootca=/my%20dir/ca+file.pem").ca_file, "/my dir/ca file.pem");
}

TEST(SenderUri, SchemeIsCaseInsensitive) {
	EXPECT_EQ(Parse("GRPC://h:1/").target, "h:1");
}

TEST(SenderUri, Ipv6HostsKeepBracketsInTheTargetOnly) {
	SinkUri u = Parse("grpc://k:s@[::1]:5051/?sslrootca=ca.pem");
	EXPECT_EQ(u.host, "::1");
	EXPECT_EQ(u.target, "[::1]:5051");
}

TEST(SenderUri, FragmentAndPathAreIgnored) {
	SinkUri u = Parse("grpc://h:1/some/path?sslrootca=x.pem#frag");
	EXPECT_EQ(u.ca_file, "x.pem");
	EXPECT_EQ(u.target, "h:1");
}

TEST(SenderUri, BadUrisSayWhatAndShowTheShape) {
	const char *const kShape = "sink URI must look like grpc://KEY:SECRET@host:port/?sslrootca=FILE";
	struct Case {
		const char *uri;
		const char *what;
	} cases[] = {
	    {"localhost:5051", "the scheme is \"localhost\", not grpc"},
	    {"nothing", "has no scheme"},
	    {"http://h:1/", "the scheme is \"http\", not grpc"},
	    {"grpc:h:1", "\"//\" must follow"},
	    {"grpc://k:s@h/", "the port is missing"},
	    {"grpc://k:s@h:/", "the port is missing"},
	    {"grpc://k:s@:5051/", "the host is missing"},
	    {"grpc://k:s@h:50x1/", "the port \"50x1\" is not a number"},
	    {"grpc://k:s@h:0/", "out of range"},
	    {"grpc://k:s@h:65536/", "out of range"},
	    {"grpc://k:s@h:123456/", "out of range"},
	    {"grpc://k:s@::1:5051/", "must be written in brackets"},
	    {"grpc://k:s@[::1/", "no closing ']'"},
	    {"grpc://k:s@[::1]/", "the port is missing"},
	    {"grpc://k:s%zz@h:1/", "user info has a malformed %-escape"},
	    {"grpc://k:s%4@h:1/", "user info has a malformed %-escape"},
	    {"grpc://h:1/?sslrootca=%", "query has a malformed %-escape"},
	    {"grpc://h:1/?sslrootca=", "sslrootca is empty"},
	    {"grpc://h:1/?sslrootca=a;b=c", "';'"},
	    {"", "has no scheme"},
	};
	for (const Case &c : cases) {
		std::string problem = Problem(c.uri);
		EXPECT_NE(problem.find(c.what), std::string::npos) << c.uri << " -> " << problem;
		EXPECT_NE(problem.find(kShape), std::string::npos) << c.uri << " -> " << problem;
	}
}

TEST(SenderUri, PercentDecodeEdges) {
	std::string out;
	EXPECT_TRUE(PercentDecode("", false, &out));
	EXPECT_EQ(out, "");
	EXPECT_TRUE(PercentDecode("%41%62%2b+", false, &out));
	EXPECT_EQ(out, "Ab++");
	EXPECT_TRUE(PercentDecode("%41%62%2b+", true, &out));
	EXPECT_EQ(out, "Ab+ ");
	EXPECT_TRUE(PercentDecode("%00x", false, &out));
	EXPECT_EQ(out, std::string("\0x", 2));
	EXPECT_FALSE(PercentDecode("%", false, &out));
	EXPECT_FALSE(PercentDecode("%4", false, &out));
	EXPECT_FALSE(PercentDecode("a%g0", false, &out));
}
