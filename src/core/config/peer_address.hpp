// Turns listen_addresses into the socket addresses the listener binds (GRPC.md §14): both
// families for "localhost" and "*", because grpc-go tries ::1 and 127.0.0.1 in turn and a
// missing one costs a failed attempt or a stall. Runs at start-up and reload only: host
// names go through getaddrinfo, which may block.
#pragma once
#include "core/core_only.hpp"

#include <sys/socket.h>

#include <string>
#include <vector>

namespace pgwatch_rpc::config {

struct BindAddress {
	sockaddr_storage address{};
	socklen_t length = 0;
	bool v6_only = false;  // set IPV6_V6ONLY=1 before bind (every AF_INET6 entry)
	std::string printable; // "127.0.0.1:5051", "[::1]:5051", for logs
};

// ResolveListenAddresses: "localhost" (any case) → ::1 and 127.0.0.1 without DNS; "*" →
// :: and 0.0.0.0, and then nothing else (the wildcards cover every specific address, which
// could not be bound next to them anyway); IPv4/IPv6 literals (brackets and %zone allowed)
// as they are; other names via getaddrinfo, every address it returns. Duplicates are
// dropped, order is kept. port 0..65535 (0 = let the kernel choose). Throws
// std::runtime_error naming the entry that failed.
std::vector<BindAddress> ResolveListenAddresses(const std::vector<std::string> &listen_addresses, int port);

// FormatSocketAddress: numeric "host:port" with brackets around IPv6 hosts.
std::string FormatSocketAddress(const sockaddr *address, socklen_t length);

} // namespace pgwatch_rpc::config
