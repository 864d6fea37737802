// The listening side of `pgwatch-rpc listen`: listen sockets on every configured address,
// accept until EAGAIN with global and per-peer connection caps (GRPC.md §13), the table of
// live connections, the deadline sweep, graceful shutdown (GRPC.md §12) and the routing of
// committed replies back to their connection.
#pragma once
#include "core/config/listener_settings.hpp"
#include "core/core_only.hpp"
#include "core/h2/server_session.hpp"
#include "core/listener/connection.hpp"
#include "core/loop/event_loop.hpp"
#include "core/tls/server_context.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace pgwatch_rpc::listener {

// SessionConfigFrom / LimitsFrom map listener settings onto the per-connection limits.
h2::SessionConfig SessionConfigFrom(const config::ListenerSettings &settings);
ConnectionLimits LimitsFrom(const config::ListenerSettings &settings);

class Server {
public:
	Server(loop::EventLoop &loop, h2::SessionServices services);
	~Server();

	// Listen binds every address of settings (throws std::runtime_error naming the address).
	void Listen(const config::ListenerSettings &settings);
	// Configure applies limits and the TLS context (nullptr = plaintext) to new connections.
	void Configure(const config::ListenerSettings &settings, tls::SslCtxPtr ssl_ctx);

	// Complete routes a reply to the connection holding the call, if it still exists.
	void Complete(const h2::CallRef &ref, grpc::StatusCode code, const std::string &message);

	// Graceful stop: close listen sockets, GOAWAY notice + PING, final GOAWAY after the ACK or
	// 1 s, terminate what is left at grace_us. Stopped() when no connection is left.
	void BeginShutdown(int64_t grace_us);
	bool Stopped() const { return stopping_ && connections_.empty(); }

	size_t connections() const { return connections_.size(); }
	uint64_t connections_total() const { return connections_total_; }
	// Extra iteration needed at once: some connection has input left over its read budget.
	bool needs_another_turn() const;

private:
	void Accept(int listen_fd);
	void Sweep();
	void Reap();
	void ScheduleSweep();

	loop::EventLoop &loop_;
	h2::SessionServices services_;
	h2::SessionConfig session_config_;
	ConnectionLimits limits_;
	int max_connections_ = 256;
	int max_per_peer_ = 64;
	tls::SslCtxPtr ssl_ctx_;
	struct ListenSocket {
		int fd;
		uint64_t token;
	};
	std::vector<ListenSocket> listen_sockets_;
	std::map<uint64_t, std::unique_ptr<Connection>> connections_;
	std::unordered_map<std::string, int> per_peer_;
	uint64_t next_connection_id_ = 1;
	uint64_t connections_total_ = 0;
	loop::TimerId sweep_timer_ = 0;
	bool stopping_ = false;
	bool final_goaway_sent_ = false;
	int64_t shutdown_started_us_ = 0;
	int64_t grace_deadline_us_ = 0;
	int64_t accept_error_logged_us_ = 0;
};

} // namespace pgwatch_rpc::listener
