// Socket-level driving of one HTTP/2 connection (see connection.hpp).
#include "core/listener/connection.hpp"

#include "core/log/log.hpp"
#include "core/loop/clock.hpp"

#include <sys/epoll.h>
#include <unistd.h>

namespace pgwatch_rpc::listener {
namespace {
constexpr size_t kReadChunk = 16384;
constexpr size_t kOutChunk = 64 * 1024;
} // namespace

Connection::Connection(loop::EventLoop &loop, uint64_t id, int fd, std::string peer, SSL_CTX *ssl_ctx,
                       const h2::SessionConfig &session_config, h2::SessionServices services,
                       ConnectionLimits limits)
    : loop_(loop), id_(id), fd_(fd), peer_(std::move(peer)), limits_(limits), transport_(fd, ssl_ctx) {
	accepted_us_ = loop::MonotonicMicros();
	last_progress_us_ = accepted_us_;
	idle_since_us_ = accepted_us_;
	session_ = std::make_unique<h2::ServerSession>(id, peer_, session_config, std::move(services));
	interest_ = EPOLLIN;
	token_ = loop_.Watch(fd_, interest_, [this](uint32_t events) { OnEvents(events); });
	if (transport_.handshake_done())
		Flush(); // h2c: our SETTINGS go out at once
}

Connection::~Connection() {
	Close(nullptr);
}

void Connection::Close(const char *why) {
	if (dead_)
		return;
	dead_ = true;
	more_input_ = false;
	if (why)
		log::Write(log::Level::kDebug, "closing connection from " + peer_ + ": " + why);
	loop_.Unwatch(token_);
	close(fd_);
}

void Connection::OnEvents(uint32_t events) {
	if (dead_)
		return;
	if (!transport_.handshake_done()) {
		AdvanceHandshake();
		return;
	}
	if (events & EPOLLOUT)
		Flush();
	if (!dead_ && (events & (EPOLLIN | EPOLLERR | EPOLLHUP)))
		ReadInput();
}

void Connection::AdvanceHandshake() {
	std::string error;
	IoResult result = transport_.Handshake(&error);
	if (result == IoResult::kClosed) {
		Close(error.c_str());
		return;
	}
	if (result == IoResult::kWouldBlock) {
		uint32_t want = transport_.handshake_wants_write() ? EPOLLOUT : EPOLLIN;
		if (want != interest_) {
			interest_ = want;
			loop_.Modify(token_, interest_);
		}
		return;
	}
	Flush();
	// The client may have sent its preface together with the last handshake flight.
	if (!dead_)
		ReadInput();
}

void Connection::ReadInput() {
	char buf[kReadChunk];
	size_t budget = limits_.read_budget;
	more_input_ = false;
	while (true) {
		if (budget == 0) {
			more_input_ = true;
			break;
		}
		size_t n = 0;
		IoResult result = transport_.Read(buf, kReadChunk < budget ? kReadChunk : budget, &n);
		if (result == IoResult::kWouldBlock)
			break;
		if (result == IoResult::kClosed) {
			Close("peer closed");
			return;
		}
		budget -= n;
		if (!session_->Receive(reinterpret_cast<const uint8_t *>(buf), n)) {
			// Send what nghttp2 still has (a GOAWAY) on a best-effort basis, then close.
			Flush();
			Close("HTTP/2 protocol error");
			return;
		}
	}
	Flush();
}

void Connection::ContinueReading() {
	if (!dead_ && more_input_)
		ReadInput();
}

void Connection::Flush() {
	if (dead_)
		return;
	while (true) {
		if (out_sent_ == out_.size()) {
			out_.clear();
			out_sent_ = 0;
			if (!session_->Produce(&out_, kOutChunk)) {
				Close("HTTP/2 output error");
				return;
			}
			if (out_.empty())
				break;
		}
		size_t n = 0;
		IoResult result = transport_.Write(out_.data() + out_sent_, out_.size() - out_sent_, &n);
		if (result == IoResult::kClosed) {
			Close("write failed");
			return;
		}
		if (result == IoResult::kWouldBlock)
			break;
		out_sent_ += n;
		last_progress_us_ = loop::MonotonicMicros();
	}
	bool pending = out_sent_ < out_.size();
	if (!pending && !session_->WantsIo()) {
		Close(nullptr);
		return;
	}
	uint32_t want = pending ? (EPOLLIN | EPOLLOUT) : EPOLLIN;
	if (want != interest_) {
		interest_ = want;
		loop_.Modify(token_, interest_);
	}
	if (!pending)
		last_progress_us_ = loop::MonotonicMicros();
}

void Connection::Complete(int32_t stream_id, grpc::StatusCode code, const std::string &message) {
	if (dead_)
		return;
	session_->Complete(stream_id, code, message);
	Flush();
}

void Connection::Tick(int64_t now_us) {
	if (dead_)
		return;
	if ((!transport_.handshake_done() || !session_->client_settings_seen()) &&
	    now_us - accepted_us_ > limits_.handshake_timeout_us) {
		Close(transport_.handshake_done() ? "no HTTP/2 preface in time" : "TLS handshake timeout");
		return;
	}
	if (out_sent_ < out_.size() && now_us - last_progress_us_ > limits_.write_stall_us) {
		Close("peer does not read (write stalled)");
		return;
	}
	if (session_->outbound_queue() > limits_.max_outbound_frames) {
		Close("outbound queue over its cap");
		return;
	}
	if (session_->active_streams() > 0) {
		idle_since_us_ = now_us;
	} else if (!idle_goaway_sent_ && now_us - idle_since_us_ > limits_.idle_timeout_us) {
		// GRPC.md §11: max connection idle → graceful GOAWAY; clients reconnect when needed.
		idle_goaway_sent_ = true;
		session_->FinishShutdown();
	}
	session_->Tick(now_us);
	Flush();
}

void Connection::BeginShutdown() {
	if (dead_)
		return;
	if (!transport_.handshake_done()) {
		Close("shutting down");
		return;
	}
	session_->BeginShutdown();
	Flush();
}

void Connection::FinishShutdown() {
	if (dead_)
		return;
	session_->FinishShutdown();
	Flush();
}

void Connection::Terminate() {
	if (dead_)
		return;
	session_->Terminate(NGHTTP2_NO_ERROR);
	Flush();
	Close("shutdown grace period over");
}

} // namespace pgwatch_rpc::listener
