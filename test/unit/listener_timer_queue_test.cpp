// The event loop's timer heap (loop/timer_queue): order, cancellation, re-scheduling.
#include "core/loop/timer_queue.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace pgwatch_rpc::loop {
namespace {

TEST(ListenerTimerQueue, RunsDueTimersInDeadlineOrder) {
	TimerQueue timers;
	std::vector<int> fired;
	timers.Schedule(30, [&] { fired.push_back(3); });
	timers.Schedule(10, [&] { fired.push_back(1); });
	timers.Schedule(20, [&] { fired.push_back(2); });
	EXPECT_EQ(timers.NextDeadline(), 10);
	timers.RunDue(25);
	EXPECT_EQ(fired, (std::vector<int>{1, 2}));
	EXPECT_EQ(timers.NextDeadline(), 30);
}

TEST(ListenerTimerQueue, CancelledTimersNeverRun) {
	TimerQueue timers;
	bool ran = false;
	TimerId id = timers.Schedule(5, [&] { ran = true; });
	timers.Cancel(id);
	timers.Cancel(12345); // unknown ids are ignored
	EXPECT_EQ(timers.NextDeadline(), -1);
	timers.RunDue(100);
	EXPECT_FALSE(ran);
}

TEST(ListenerTimerQueue, CallbacksMayScheduleMore) {
	TimerQueue timers;
	int count = 0;
	std::function<void()> again = [&] {
		if (++count < 3)
			timers.Schedule(0, again);
	};
	timers.Schedule(0, again);
	timers.RunDue(1);
	EXPECT_EQ(count, 3);
	EXPECT_EQ(timers.size(), 0u);
}

} // namespace
} // namespace pgwatch_rpc::loop
