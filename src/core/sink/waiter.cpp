// The plain Waiter (waiter.hpp).
#include "core/sink/waiter.hpp"

#include <chrono>
#include <thread>

namespace pgwatch_rpc::sink {
namespace {

class SleepingWaiter : public Waiter {
public:
	bool WaitMs(int64_t ms) override {
		if (ms > 0)
			std::this_thread::sleep_for(std::chrono::milliseconds(ms));
		return true;
	}
	bool StopRequested() override { return false; }
};

} // namespace

Waiter &PlainWaiter() {
	static SleepingWaiter waiter;
	return waiter;
}

} // namespace pgwatch_rpc::sink
