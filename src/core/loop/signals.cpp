// signalfd-based delivery of the listener's control signals (see signals.hpp).
#include "core/loop/signals.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <string>
#include <sys/signalfd.h>
#include <unistd.h>

namespace pgwatch_rpc::loop {

SignalSource::SignalSource() {
	sigset_t set;
	sigemptyset(&set);
	for (int sig : {SIGTERM, SIGINT, SIGQUIT, SIGHUP})
		sigaddset(&set, sig);
	if (sigprocmask(SIG_BLOCK, &set, nullptr) != 0)
		throw std::runtime_error(std::string("sigprocmask: ") + std::strerror(errno));
	fd_ = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd_ < 0)
		throw std::runtime_error(std::string("signalfd: ") + std::strerror(errno));
}

SignalSource::~SignalSource() {
	if (fd_ >= 0)
		close(fd_);
}

int SignalSource::Read() {
	signalfd_siginfo info{};
	ssize_t n = read(fd_, &info, sizeof info);
	if (n != static_cast<ssize_t>(sizeof info))
		return 0;
	return static_cast<int>(info.ssi_signo);
}

} // namespace pgwatch_rpc::loop
