// epoll + timer heap dispatch (see event_loop.hpp).
#include "core/loop/event_loop.hpp"

#include "core/loop/clock.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <sys/epoll.h>
#include <unistd.h>

namespace pgwatch_rpc::loop {
namespace {
constexpr int kMaxEvents = 128;

std::runtime_error SysError(const char *what) {
	return std::runtime_error(std::string(what) + ": " + std::strerror(errno));
}
} // namespace

EventLoop::EventLoop() {
	epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
	if (epoll_fd_ < 0)
		throw SysError("epoll_create1");
}

EventLoop::~EventLoop() {
	if (epoll_fd_ >= 0)
		close(epoll_fd_);
}

uint64_t EventLoop::Watch(int fd, uint32_t events, IoHandler handler) {
	uint64_t token = next_token_++;
	epoll_event ev{};
	ev.events = events;
	ev.data.u64 = token;
	if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0)
		throw SysError("epoll_ctl(ADD)");
	watched_.emplace(token, Watched{fd, std::move(handler)});
	return token;
}

void EventLoop::Modify(uint64_t token, uint32_t events) {
	auto it = watched_.find(token);
	if (it == watched_.end())
		return;
	epoll_event ev{};
	ev.events = events;
	ev.data.u64 = token;
	if (epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, it->second.fd, &ev) != 0)
		throw SysError("epoll_ctl(MOD)");
}

void EventLoop::Unwatch(uint64_t token) {
	auto it = watched_.find(token);
	if (it == watched_.end())
		return;
	epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, it->second.fd, nullptr);
	watched_.erase(it);
}

bool EventLoop::RunOnce(int64_t max_wait_us) {
	int64_t now = MonotonicMicros();
	int64_t deadline = timers_.NextDeadline();
	int64_t wait_us = deadline < 0 ? -1 : (deadline > now ? deadline - now : 0);
	if (max_wait_us >= 0 && (wait_us < 0 || max_wait_us < wait_us))
		wait_us = max_wait_us;
	// Round up so we never wake a few microseconds early and spin.
	int timeout_ms = wait_us < 0 ? -1 : static_cast<int>((wait_us + 999) / 1000);

	epoll_event events[kMaxEvents];
	int n = epoll_wait(epoll_fd_, events, kMaxEvents, timeout_ms);
	if (n < 0 && errno != EINTR)
		return false;
	int64_t started = MonotonicMicros();
	for (int i = 0; i < n; i++) {
		auto it = watched_.find(events[i].data.u64);
		if (it == watched_.end())
			continue; // unwatched earlier in this iteration
		// Copy: the handler may Unwatch itself, destroying the stored function.
		IoHandler handler = it->second.handler;
		handler(events[i].events);
	}
	timers_.RunDue(MonotonicMicros());
	for (auto &hook : after_events_)
		hook();
	int64_t busy = MonotonicMicros() - started;
	if (busy > max_busy_us_)
		max_busy_us_ = busy;
	return true;
}

} // namespace pgwatch_rpc::loop
