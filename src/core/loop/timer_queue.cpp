// Min-heap timers with lazy cancellation (see timer_queue.hpp).
#include "core/loop/timer_queue.hpp"

#include <utility>

namespace pgwatch_rpc::loop {

TimerId TimerQueue::Schedule(int64_t at_us, std::function<void()> fn) {
	TimerId id = next_id_++;
	callbacks_.emplace(id, std::move(fn));
	heap_.push(Entry{at_us, id});
	return id;
}

void TimerQueue::Cancel(TimerId id) {
	callbacks_.erase(id);
}

void TimerQueue::DropCancelled() {
	while (!heap_.empty() && callbacks_.find(heap_.top().id) == callbacks_.end())
		heap_.pop();
}

int64_t TimerQueue::NextDeadline() {
	DropCancelled();
	return heap_.empty() ? -1 : heap_.top().at_us;
}

void TimerQueue::RunDue(int64_t now_us) {
	size_t budget = callbacks_.size() + 1000;
	while (budget-- > 0) {
		DropCancelled();
		if (heap_.empty() || heap_.top().at_us > now_us)
			return;
		TimerId id = heap_.top().id;
		heap_.pop();
		auto it = callbacks_.find(id);
		std::function<void()> fn = std::move(it->second);
		callbacks_.erase(it);
		fn();
	}
}

} // namespace pgwatch_rpc::loop
