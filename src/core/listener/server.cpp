// Listen sockets, accept, connection table and shutdown (see server.hpp).
#include "core/listener/server.hpp"

#include "core/config/peer_address.hpp"
#include "core/log/log.hpp"
#include "core/loop/clock.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace pgwatch_rpc::listener {
namespace {
constexpr int64_t kSweepUs = 250'000;
constexpr int64_t kGoawayAfterUs = 1'000'000; // final GOAWAY if the PING ACK is slow
constexpr int kBacklog = 512;

// Peer address without the port: the unit of per-peer limits and auth throttling.
std::string PeerHost(const sockaddr_storage &address) {
	char text[INET6_ADDRSTRLEN] = "?";
	if (address.ss_family == AF_INET)
		inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in &>(address).sin_addr, text, sizeof text);
	else if (address.ss_family == AF_INET6)
		inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6 &>(address).sin6_addr, text, sizeof text);
	return text;
}
} // namespace

h2::SessionConfig SessionConfigFrom(const config::ListenerSettings &settings) {
	h2::SessionConfig config;
	config.max_concurrent_streams = static_cast<uint32_t>(settings.max_concurrent_streams);
	config.max_message_size = settings.max_message_size;
	config.limits = settings.limits;
	config.request_timeout_us = static_cast<int64_t>(settings.request_timeout_ms) * 1000;
	return config;
}

ConnectionLimits LimitsFrom(const config::ListenerSettings &settings) {
	ConnectionLimits limits;
	limits.handshake_timeout_us = static_cast<int64_t>(settings.handshake_timeout_ms) * 1000;
	limits.idle_timeout_us = static_cast<int64_t>(settings.idle_timeout_ms) * 1000;
	return limits;
}

Server::Server(loop::EventLoop &loop, h2::SessionServices services)
    : loop_(loop), services_(std::move(services)) {
	loop_.AfterEvents([this] {
		for (auto &[id, conn] : connections_)
			conn->ContinueReading();
		Reap();
	});
}

Server::~Server() {
	loop_.timers().Cancel(sweep_timer_);
	connections_.clear();
	for (ListenSocket &s : listen_sockets_) {
		loop_.Unwatch(s.token);
		close(s.fd);
	}
}

void Server::Listen(const config::ListenerSettings &settings) {
	for (const config::BindAddress &bind_address :
	     config::ResolveListenAddresses(settings.listen_addresses, settings.port)) {
		int fd = socket(bind_address.address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			throw std::runtime_error("could not create a socket for " + bind_address.printable + ": " +
			                         std::strerror(errno));
		int one = 1;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (bind_address.v6_only)
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
		if (bind(fd, reinterpret_cast<const sockaddr *>(&bind_address.address), bind_address.length) != 0 ||
		    listen(fd, kBacklog) != 0) {
			std::string reason = std::strerror(errno);
			close(fd);
			throw std::runtime_error("could not listen on " + bind_address.printable + ": " + reason);
		}
		uint64_t token = loop_.Watch(fd, EPOLLIN, [this, fd](uint32_t) { Accept(fd); });
		listen_sockets_.push_back(ListenSocket{fd, token});
		sockaddr_storage bound{};
		socklen_t length = sizeof bound;
		getsockname(fd, reinterpret_cast<sockaddr *>(&bound), &length);
		log::Write(log::Level::kLog, "listening on " + config::FormatSocketAddress(
		                                                   reinterpret_cast<sockaddr *>(&bound), length));
	}
	ScheduleSweep();
}

void Server::Configure(const config::ListenerSettings &settings, tls::SslCtxPtr ssl_ctx) {
	session_config_ = SessionConfigFrom(settings);
	limits_ = LimitsFrom(settings);
	max_connections_ = std::max(1, settings.max_connections);
	max_per_peer_ = std::max(16, max_connections_ / 4);
	// Existing SSL objects hold their own reference to the old context (GRPC.md §2).
	ssl_ctx_ = std::move(ssl_ctx);
}

void Server::Accept(int listen_fd) {
	// Accept until EAGAIN; excess connections are closed at once (GRPC.md §13).
	for (int i = 0; i < 1000; i++) {
		sockaddr_storage address{};
		socklen_t length = sizeof address;
		int fd =
		    accept4(listen_fd, reinterpret_cast<sockaddr *>(&address), &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ECONNABORTED)
				return;
			int64_t now = loop::MonotonicMicros();
			if (now - accept_error_logged_us_ > 10'000'000) {
				accept_error_logged_us_ = now;
				log::Write(log::Level::kWarning, std::string("accept failed: ") + std::strerror(errno));
			}
			return;
		}
		std::string host = PeerHost(address);
		if (stopping_ || static_cast<int>(connections_.size()) >= max_connections_ ||
		    per_peer_[host] >= max_per_peer_) {
			close(fd);
			if (per_peer_[host] == 0)
				per_peer_.erase(host);
			continue;
		}
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
		int idle = 60;
		setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
		uint64_t id = next_connection_id_++;
		try {
			auto conn = std::make_unique<Connection>(loop_, id, fd, host, ssl_ctx_.get(), session_config_,
			                                         services_, limits_);
			connections_.emplace(id, std::move(conn));
			per_peer_[host]++;
			connections_total_++;
		} catch (const std::exception &e) {
			log::Write(log::Level::kWarning, "could not set up a connection from " + host + ": " + e.what());
			// Connection's constructor failed before owning fd only if Transport threw.
			close(fd);
		}
	}
}

void Server::Complete(const h2::CallRef &ref, grpc::StatusCode code, const std::string &message) {
	auto it = connections_.find(ref.connection_id);
	if (it != connections_.end())
		it->second->Complete(ref.stream_id, code, message);
}

bool Server::needs_another_turn() const {
	return std::any_of(connections_.begin(), connections_.end(),
	                   [](const auto &entry) { return entry.second->more_input(); });
}

void Server::ScheduleSweep() {
	sweep_timer_ = loop_.timers().Schedule(loop::MonotonicMicros() + kSweepUs, [this] {
		sweep_timer_ = 0;
		Sweep();
		ScheduleSweep();
	});
}

void Server::Sweep() {
	int64_t now = loop::MonotonicMicros();
	for (auto &[id, conn] : connections_)
		conn->Tick(now);
	if (stopping_) {
		if (!final_goaway_sent_) {
			bool all_acked = std::all_of(connections_.begin(), connections_.end(), [](const auto &entry) {
				return entry.second->dead() || entry.second->shutdown_ping_acked();
			});
			if (all_acked || now - shutdown_started_us_ >= kGoawayAfterUs) {
				final_goaway_sent_ = true;
				for (auto &[id, conn] : connections_)
					conn->FinishShutdown();
			}
		}
		if (now >= grace_deadline_us_)
			for (auto &[id, conn] : connections_)
				conn->Terminate();
	}
	Reap();
}

void Server::Reap() {
	for (auto it = connections_.begin(); it != connections_.end();) {
		if (it->second->dead()) {
			auto peer = per_peer_.find(it->second->peer());
			if (peer != per_peer_.end() && --peer->second <= 0)
				per_peer_.erase(peer);
			it = connections_.erase(it);
		} else {
			++it;
		}
	}
}

void Server::BeginShutdown(int64_t grace_us) {
	if (stopping_)
		return;
	stopping_ = true;
	shutdown_started_us_ = loop::MonotonicMicros();
	grace_deadline_us_ = shutdown_started_us_ + grace_us;
	for (ListenSocket &s : listen_sockets_) {
		loop_.Unwatch(s.token);
		close(s.fd);
	}
	listen_sockets_.clear();
	for (auto &[id, conn] : connections_)
		conn->BeginShutdown();
	Reap();
}

} // namespace pgwatch_rpc::listener
