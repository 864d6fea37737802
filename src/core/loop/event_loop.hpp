// The listener's single-threaded event loop (GRPC.md §14): one epoll set for sockets, the
// libpq socket and a signalfd, plus a timer heap. Handlers are registered under a fresh
// token each time, so an event that was already fetched for a descriptor that is closed
// (and perhaps reused) in the same iteration is dropped instead of delivered to the wrong
// owner (GRPC.md §17 pitfall 10).
#pragma once
#include "core/core_only.hpp"
#include "core/loop/timer_queue.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

namespace pgwatch_rpc::loop {

// Called with the epoll event mask (EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP ...).
using IoHandler = std::function<void(uint32_t events)>;

class EventLoop {
public:
	// Throws std::runtime_error if epoll cannot be created.
	EventLoop();
	~EventLoop();
	EventLoop(const EventLoop &) = delete;
	EventLoop &operator=(const EventLoop &) = delete;

	// Watch registers fd (which the caller keeps owning) for events. Returns a token for
	// Modify/Unwatch; throws std::runtime_error if epoll_ctl fails.
	uint64_t Watch(int fd, uint32_t events, IoHandler handler);
	void Modify(uint64_t token, uint32_t events);
	// Unwatch removes the fd from the set: call it before closing the descriptor.
	void Unwatch(uint64_t token);

	TimerQueue &timers() { return timers_; }

	// AfterEvents registers a hook run at the end of each iteration, after all ready handlers
	// and timers: the group committer sends its batch there ("one iteration's worth").
	void AfterEvents(std::function<void()> hook) { after_events_.push_back(std::move(hook)); }

	// RunOnce waits (at most until the next timer, or max_wait_us if >= 0 and sooner) and
	// dispatches what is ready. Returns false if epoll_wait failed with something other
	// than EINTR.
	bool RunOnce(int64_t max_wait_us = -1);

	// Longest time spent handling one iteration's events so far (statistics), microseconds.
	int64_t max_busy_us() const { return max_busy_us_; }

private:
	struct Watched {
		int fd;
		IoHandler handler;
	};
	int epoll_fd_ = -1;
	uint64_t next_token_ = 1;
	std::unordered_map<uint64_t, Watched> watched_;
	TimerQueue timers_;
	std::vector<std::function<void()>> after_events_;
	int64_t max_busy_us_ = 0;
};

} // namespace pgwatch_rpc::loop
