// Clock readings for the event loop (see clock.hpp).
#include "core/loop/clock.hpp"

#include <cstdio>
#include <time.h>

namespace pgwatch_rpc::loop {
namespace {
int64_t Read(clockid_t id) {
	timespec ts{};
	clock_gettime(id, &ts);
	return static_cast<int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}
} // namespace

int64_t MonotonicMicros() {
	return Read(CLOCK_MONOTONIC);
}

int64_t WallMicros() {
	return Read(CLOCK_REALTIME);
}

std::string FormatIso8601(int64_t wall_us) {
	time_t seconds = static_cast<time_t>(wall_us / 1000000);
	tm parts{};
	gmtime_r(&seconds, &parts);
	char text[64];
	snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", parts.tm_year + 1900, parts.tm_mon + 1,
	         parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec, static_cast<int>(wall_us % 1000000));
	return text;
}

} // namespace pgwatch_rpc::loop
