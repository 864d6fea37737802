// Signal-aware sleeping for the delivery child (see deliver_clock.hpp).
#include "bin/deliver_clock.hpp"

#include "bin/commands.hpp"
#include "core/loop/clock.hpp"

#include <poll.h>

#include <csignal>
#include <cstdlib>

namespace pgwatch_rpc::bin {

int64_t DeliverClock::MonotonicMs() { return loop::MonotonicMicros() / 1000; }

int64_t DeliverClock::WallUs() { return loop::WallMicros(); }

void DeliverClock::DrainSignals() {
	while (int sig = signals_.Read()) {
		if (sig == SIGQUIT)
			std::_Exit(kExitOk); // immediate stop, as for the listener
		if (sig == SIGTERM || sig == SIGINT)
			stop_ = true;
		// SIGHUP: nothing to reload; the sink's settings live in pgwatch_rpc.sinks.
	}
}

bool DeliverClock::StopRequested() {
	DrainSignals();
	return stop_;
}

void DeliverClock::SleepMs(int64_t ms) {
	if (StopRequested() || ms <= 0)
		return;
	struct pollfd pfd = {signals_.fd(), POLLIN, 0};
	poll(&pfd, 1, static_cast<int>(ms));
	DrainSignals();
}

bool DeliverClock::WaitMs(int64_t ms) {
	int64_t until_ms = MonotonicMs() + ms;
	for (int64_t left_ms = ms; left_ms > 0 && !StopRequested(); left_ms = until_ms - MonotonicMs())
		SleepMs(left_ms); // returns early for SIGHUP too: sleep the rest
	return !StopRequested();
}

} // namespace pgwatch_rpc::bin
