// Resolution of listen_addresses into bindable socket addresses.
#include "core/config/peer_address.hpp"

#include <netdb.h>
#include <netinet/in.h>

#include <cstring>
#include <stdexcept>
#include <strings.h>

namespace pgwatch_rpc::config {

namespace {

BindAddress MakeBind(const sockaddr *address, socklen_t length) {
	BindAddress bind;
	std::memcpy(&bind.address, address, length);
	bind.length = length;
	bind.v6_only = address->sa_family == AF_INET6;
	bind.printable = FormatSocketAddress(address, length);
	return bind;
}

BindAddress Ipv6(const in6_addr &host, int port) {
	sockaddr_in6 a{};
	a.sin6_family = AF_INET6;
	a.sin6_addr = host;
	a.sin6_port = htons(static_cast<uint16_t>(port));
	return MakeBind(reinterpret_cast<const sockaddr *>(&a), sizeof a);
}

BindAddress Ipv4(uint32_t host_order, int port) {
	sockaddr_in a{};
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(host_order);
	a.sin_port = htons(static_cast<uint16_t>(port));
	return MakeBind(reinterpret_cast<const sockaddr *>(&a), sizeof a);
}

// Resolve: literals with AI_NUMERICHOST (handles %zone), else a real lookup.
void Resolve(const std::string &entry, int port, std::vector<BindAddress> *out) {
	std::string host = entry;
	if (host.size() > 2 && host.front() == '[' && host.back() == ']')
		host = host.substr(1, host.size() - 2);
	addrinfo hints{};
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	std::string service = std::to_string(port);
	addrinfo *result = nullptr;
	int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &result);
	if (rc == EAI_NONAME) {
		hints.ai_flags = AI_NUMERICSERV;
		rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &result);
	}
	if (rc != 0)
		throw std::runtime_error("could not resolve listen address \"" + entry + "\": " + gai_strerror(rc));
	for (addrinfo *ai = result; ai != nullptr; ai = ai->ai_next) {
		if (ai->ai_family == AF_INET || ai->ai_family == AF_INET6)
			out->push_back(MakeBind(ai->ai_addr, ai->ai_addrlen));
	}
	freeaddrinfo(result);
}

bool SameAddress(const BindAddress &a, const BindAddress &b) {
	return a.length == b.length && std::memcmp(&a.address, &b.address, a.length) == 0;
}

} // namespace

std::string FormatSocketAddress(const sockaddr *address, socklen_t length) {
	char host[NI_MAXHOST];
	char service[NI_MAXSERV];
	if (getnameinfo(address, length, host, sizeof host, service, sizeof service,
	                NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		return "(unprintable address)";
	if (address->sa_family == AF_INET6)
		return std::string("[") + host + "]:" + service;
	return std::string(host) + ":" + service;
}

std::vector<BindAddress> ResolveListenAddresses(const std::vector<std::string> &listen_addresses, int port) {
	if (port < 0 || port > 65535)
		throw std::runtime_error("port must be between 0 and 65535, not " + std::to_string(port));
	if (listen_addresses.empty())
		throw std::runtime_error("listen_addresses is empty: there is nothing to listen on");

	std::vector<BindAddress> candidates;
	bool wildcard = false;
	for (const std::string &entry : listen_addresses) {
		if (entry == "*") {
			wildcard = true;
		} else if (strcasecmp(entry.c_str(), "localhost") == 0) {
			candidates.push_back(Ipv6(in6addr_loopback, port));
			candidates.push_back(Ipv4(INADDR_LOOPBACK, port));
		} else if (entry.empty()) {
			throw std::runtime_error("listen_addresses has an empty entry");
		} else {
			Resolve(entry, port, &candidates);
		}
	}
	if (wildcard)
		return {Ipv6(in6addr_any, port), Ipv4(INADDR_ANY, port)};

	std::vector<BindAddress> unique;
	for (BindAddress &candidate : candidates) {
		bool seen = false;
		for (const BindAddress &kept : unique)
			seen = seen || SameAddress(kept, candidate);
		if (!seen)
			unique.push_back(std::move(candidate));
	}
	return unique;
}

} // namespace pgwatch_rpc::config
