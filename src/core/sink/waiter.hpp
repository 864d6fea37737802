// Waiter: how a sink waits inside Sink::Deliver (between indexer acknowledgement polls, say),
// and how it learns that its process is asked to stop.
// A delivery process notices a stop request (SIGTERM, read from a signalfd) only while it
// sleeps through its clock, never while Deliver runs; a sink sleeping with
// std::this_thread::sleep_for would hold up the stop for as long as it waits, until the
// launcher kills it. The delivery child hands every sink a Waiter whose wait ends as soon as
// a stop is requested (src/bin/deliver_clock.hpp), through delivery::SinkContext.
#pragma once
#include "core/core_only.hpp"

#include <cstdint>

namespace pgwatch_rpc::sink {

class Waiter {
public:
	virtual ~Waiter() = default;
	// WaitMs waits ms milliseconds (0: not at all) and returns true, or returns false as soon
	// as the process is asked to stop, at once if it was asked before. On false the sink
	// should return Outcome::Stopped without sending more: the batch stays in the spool for
	// the next delivery process (at-least-once).
	virtual bool WaitMs(int64_t ms) = 0;
	// StopRequested: whether the process was asked to stop, without waiting. The shared HTTP
	// client asks it while a request is in flight (HttpClient::SetStopCheck), so a stop does
	// not wait for a slow target's answer.
	virtual bool StopRequested() = 0;
};

// PlainWaiter sleeps the whole time and never sees a stop request: for processes that end
// at SIGTERM's default action (test-sink) and for tests.
Waiter &PlainWaiter();

} // namespace pgwatch_rpc::sink
