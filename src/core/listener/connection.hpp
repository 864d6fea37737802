// One accepted client connection: socket + transport (TLS or h2c) + HTTP/2 session, driven
// by the event loop (GRPC.md §14). Enforces the per-connection deadlines of GRPC.md §13:
// handshake/preface, idle, write progress, outbound queue cap. A connection never deletes
// itself: it closes its socket and marks itself dead; the server reaps it after the events.
#pragma once
#include "core/core_only.hpp"
#include "core/h2/server_session.hpp"
#include "core/listener/transport.hpp"
#include "core/loop/event_loop.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace pgwatch_rpc::listener {

struct ConnectionLimits {
	int64_t handshake_timeout_us = 10'000'000; // accept → TLS done and the client's SETTINGS
	int64_t idle_timeout_us = 600'000'000;     // no streams → graceful GOAWAY
	int64_t write_stall_us = 30'000'000;       // output pending, no progress → close
	size_t max_outbound_frames = 10000;        // nghttp2 queue cap (1.67's option is missing)
	size_t read_budget = 256 * 1024;           // bytes per turn, for fairness
};

class Connection {
public:
	// Takes ownership of fd (non-blocking, close-on-exec). ssl_ctx == nullptr: plaintext.
	Connection(loop::EventLoop &loop, uint64_t id, int fd, std::string peer, SSL_CTX *ssl_ctx,
	           const h2::SessionConfig &session_config, h2::SessionServices services,
	           ConnectionLimits limits);
	~Connection();
	Connection(const Connection &) = delete;
	Connection &operator=(const Connection &) = delete;

	uint64_t id() const { return id_; }
	const std::string &peer() const { return peer_; }
	bool dead() const { return dead_; }
	// more_input: the read budget ran out with input left; the server drives it again.
	bool more_input() const { return more_input_; }

	// Complete forwards a committed (or failed) call's reply and sends it.
	void Complete(int32_t stream_id, grpc::StatusCode code, const std::string &message);
	// Tick enforces deadlines; called by the server's sweep timer.
	void Tick(int64_t now_us);
	// Continue reading after the budget ran out (see more_input).
	void ContinueReading();

	void BeginShutdown();
	void FinishShutdown();
	void Terminate();
	bool shutdown_ping_acked() const { return session_->shutdown_ping_acked(); }
	size_t active_streams() const { return session_->active_streams(); }

private:
	void OnEvents(uint32_t events);
	void AdvanceHandshake();
	void ReadInput();
	void Flush();
	void Close(const char *why);

	loop::EventLoop &loop_;
	uint64_t id_;
	int fd_;
	std::string peer_;
	ConnectionLimits limits_;
	Transport transport_;
	std::unique_ptr<h2::ServerSession> session_;
	uint64_t token_ = 0;
	uint32_t interest_ = 0;
	std::string out_;
	size_t out_sent_ = 0;
	int64_t accepted_us_;
	int64_t last_progress_us_;
	int64_t idle_since_us_;
	bool dead_ = false;
	bool more_input_ = false;
	bool idle_goaway_sent_ = false;
};

} // namespace pgwatch_rpc::listener
