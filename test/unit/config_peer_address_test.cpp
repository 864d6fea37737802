// ResolveListenAddresses: localhost and "*" expand to both families without DNS, literals
// pass through, names resolve, duplicates go, errors name the entry. A final check binds
// every address the wildcard and localhost produce, as the listener will.
#include "core/config/peer_address.hpp"

#include <gtest/gtest.h>

#include <netdb.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace pgwatch_rpc::config {
namespace {

std::vector<std::string> Printable(const std::vector<BindAddress> &binds) {
	std::vector<std::string> out;
	for (const BindAddress &b : binds)
		out.push_back(b.printable);
	return out;
}

TEST(ConfigPeerAddress, LocalhostIsBothLoopbacks) {
	std::vector<BindAddress> binds = ResolveListenAddresses({"localhost"}, 5051);
	EXPECT_EQ(Printable(binds), (std::vector<std::string>{"[::1]:5051", "127.0.0.1:5051"}));
	EXPECT_TRUE(binds[0].v6_only);
	EXPECT_FALSE(binds[1].v6_only);
	EXPECT_EQ(binds[0].length, sizeof(sockaddr_in6));
	EXPECT_EQ(binds[1].length, sizeof(sockaddr_in));
	EXPECT_EQ(Printable(ResolveListenAddresses({"LocalHost"}, 1)),
	          (std::vector<std::string>{"[::1]:1", "127.0.0.1:1"}));
}

TEST(ConfigPeerAddress, WildcardIsBothAnyAddressesAndCoversTheRest) {
	std::vector<BindAddress> binds = ResolveListenAddresses({"10.0.0.1", "*", "localhost"}, 443);
	EXPECT_EQ(Printable(binds), (std::vector<std::string>{"[::]:443", "0.0.0.0:443"}));
	EXPECT_TRUE(binds[0].v6_only);
}

TEST(ConfigPeerAddress, Literals) {
	EXPECT_EQ(Printable(ResolveListenAddresses({"192.168.1.20", "::1", "[fe80::1]", "2001:db8::5"}, 80)),
	          (std::vector<std::string>{"192.168.1.20:80", "[::1]:80", "[fe80::1]:80", "[2001:db8::5]:80"}));
}

TEST(ConfigPeerAddress, DuplicatesAreDropped) {
	EXPECT_EQ(Printable(ResolveListenAddresses({"127.0.0.1", "localhost", "::1", "127.0.0.1"}, 5)),
	          (std::vector<std::string>{"127.0.0.1:5", "[::1]:5"}));
}

TEST(ConfigPeerAddress, HostNamesResolve) {
	char host[256] = {0};
	ASSERT_EQ(gethostname(host, sizeof host - 1), 0);
	addrinfo hints{};
	hints.ai_socktype = SOCK_STREAM;
	addrinfo *result = nullptr;
	if (getaddrinfo(host, nullptr, &hints, &result) != 0)
		GTEST_SKIP() << "this machine cannot resolve its own name " << host;
	freeaddrinfo(result);
	std::vector<BindAddress> binds = ResolveListenAddresses({host}, 6000);
	ASSERT_FALSE(binds.empty());
	for (const BindAddress &b : binds)
		EXPECT_NE(b.printable.find(":6000"), std::string::npos) << b.printable;
}

TEST(ConfigPeerAddress, Errors) {
	try {
		ResolveListenAddresses({"localhost", "no-such-host.invalid"}, 5051);
		FAIL() << "expected an exception";
	} catch (const std::runtime_error &e) {
		EXPECT_EQ(
		    std::string(e.what()).rfind("could not resolve listen address \"no-such-host.invalid\": ", 0), 0u)
		    << e.what();
	}
	EXPECT_THROW(ResolveListenAddresses({}, 5051), std::runtime_error);
	EXPECT_THROW(ResolveListenAddresses({""}, 5051), std::runtime_error);
	EXPECT_THROW(ResolveListenAddresses({"localhost"}, 65536), std::runtime_error);
	EXPECT_THROW(ResolveListenAddresses({"localhost"}, -1), std::runtime_error);
}

// Bind checks that the addresses are usable as produced: v6-only on AF_INET6 lets :: and
// 0.0.0.0 (or ::1 and 127.0.0.1) share one port.
void BindAll(const std::vector<BindAddress> &binds) {
	std::vector<int> fds;
	int port = 0;
	for (BindAddress b : binds) {
		int fd = socket(b.address.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0 && b.address.ss_family == AF_INET6)
			continue; // no IPv6 on this machine
		ASSERT_GE(fd, 0);
		fds.push_back(fd);
		int one = 1;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (b.v6_only) {
			ASSERT_EQ(setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one), 0);
		}
		uint16_t *port_field = b.address.ss_family == AF_INET6
		                           ? &reinterpret_cast<sockaddr_in6 *>(&b.address)->sin6_port
		                           : &reinterpret_cast<sockaddr_in *>(&b.address)->sin_port;
		*port_field = htons(static_cast<uint16_t>(port));
		int rc = bind(fd, reinterpret_cast<sockaddr *>(&b.address), b.length);
		if (rc != 0 && errno == EADDRNOTAVAIL && b.address.ss_family == AF_INET6)
			continue; // IPv6 socket support without an address
		ASSERT_EQ(rc, 0) << b.printable << ": " << strerror(errno);
		// The first bind picks a free port; the others must be able to share it.
		sockaddr_storage bound{};
		socklen_t len = sizeof bound;
		getsockname(fd, reinterpret_cast<sockaddr *>(&bound), &len);
		port = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6 *>(&bound)->sin6_port
		                                         : reinterpret_cast<sockaddr_in *>(&bound)->sin_port);
	}
	for (int fd : fds)
		close(fd);
}

TEST(ConfigPeerAddress, ProducedAddressesBindSideBySide) {
	BindAll(ResolveListenAddresses({"localhost"}, 0));
	BindAll(ResolveListenAddresses({"*"}, 0));
}

} // namespace
} // namespace pgwatch_rpc::config
