// A min-heap of deadlines (GRPC.md §14): the event loop sleeps until the earliest one.
// Timers are one-shot; cancelling is lazy (a cancelled entry is skipped when it surfaces), so
// both Schedule and Cancel are O(log n) / O(1) and no callback runs after Cancel.
#pragma once
#include "core/core_only.hpp"

#include <cstdint>
#include <functional>
#include <queue>
#include <unordered_map>
#include <vector>

namespace pgwatch_rpc::loop {

using TimerId = uint64_t; // 0 is never a valid id: use it for "no timer"

class TimerQueue {
public:
	// Schedule runs fn once at or after monotonic time at_us. Returns an id for Cancel.
	TimerId Schedule(int64_t at_us, std::function<void()> fn);
	// Cancel forgets a pending timer; unknown or already-fired ids are ignored.
	void Cancel(TimerId id);
	// NextDeadline: the earliest pending deadline, or -1 when there is none.
	int64_t NextDeadline();
	// RunDue runs every timer due at now_us (in deadline order); timers scheduled by the
	// callbacks for a time <= now_us also run, bounded by the number pending at entry + 1000.
	void RunDue(int64_t now_us);
	size_t size() const { return callbacks_.size(); }

private:
	struct Entry {
		int64_t at_us;
		TimerId id;
		bool operator>(const Entry &other) const {
			return at_us != other.at_us ? at_us > other.at_us : id > other.id;
		}
	};
	void DropCancelled();
	std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> heap_;
	std::unordered_map<TimerId, std::function<void()>> callbacks_;
	TimerId next_id_ = 1;
};

} // namespace pgwatch_rpc::loop
