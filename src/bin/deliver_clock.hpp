// The delivery child's EngineClock: the real clocks, and sleeps that end as soon as a
// signal arrives (read from a signalfd, so no work runs in a signal handler) so SIGTERM
// stops the child within one engine cycle. It is also the Waiter its sink waits through
// inside Deliver, so a stop ends those waits too (core/sink/waiter.hpp).
#pragma once
#include "core/delivery/spool_port.hpp"
#include "core/loop/signals.hpp"
#include "core/sink/waiter.hpp"

namespace pgwatch_rpc::bin {

class DeliverClock : public delivery::EngineClock, public sink::Waiter {
public:
	int64_t MonotonicMs() override;
	int64_t WallUs() override;
	void SleepMs(int64_t ms) override;
	// WaitMs sleeps ms through any signal but a stop request; false once one arrived.
	bool WaitMs(int64_t ms) override;

	// StopRequested: SIGTERM or SIGINT arrived (checked by SleepMs and by this call). The
	// engine and the sink's HTTP client ask it too.
	bool StopRequested() override;

private:
	void DrainSignals();

	loop::SignalSource signals_;
	bool stop_ = false;
};

} // namespace pgwatch_rpc::bin
