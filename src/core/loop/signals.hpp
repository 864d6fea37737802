// Signals of the listener as events (GRPC.md §14): SIGTERM/SIGINT graceful stop, SIGQUIT
// immediate exit, SIGHUP reload. They are blocked and read from a signalfd inside the
// event loop, so no work ever runs in a signal handler (STYLE.md §6.2 rule 7).
#pragma once
#include "core/core_only.hpp"

namespace pgwatch_rpc::loop {

class SignalSource {
public:
	// Blocks SIGTERM, SIGINT, SIGQUIT and SIGHUP in this (single-threaded) process and opens
	// a non-blocking signalfd for them. Throws std::runtime_error on failure.
	SignalSource();
	~SignalSource();
	SignalSource(const SignalSource &) = delete;
	SignalSource &operator=(const SignalSource &) = delete;

	int fd() const { return fd_; }
	// Next pending signal number, or 0 when none is pending.
	int Read();

private:
	int fd_ = -1;
};

} // namespace pgwatch_rpc::loop
