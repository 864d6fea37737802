#include "core/log/log.hpp"

#include <unistd.h>

#include <string>

namespace pgwatch_rpc::log {
namespace {
Level g_minimum = Level::kLog;
constexpr std::string_view kNames[] = {"DEBUG", "INFO", "LOG", "WARNING", "ERROR"};
}  // namespace

void SetMinimumLevel(Level level) { g_minimum = level; }

std::string_view LevelName(Level level) { return kNames[static_cast<int>(level)]; }

void Write(Level level, std::string_view message) {
	if (level < g_minimum)
		return;
	std::string line(LevelName(level));
	line += ": ";
	for (char c : message)
		line += (c == '\n' || c == '\r') ? ' ' : c;
	line += '\n';
	// One write(2) per record keeps records whole on the pipe (PIPE_BUF for short lines).
	size_t done = 0;
	while (done < line.size()) {
		ssize_t n = ::write(STDERR_FILENO, line.data() + done, line.size() - done);
		if (n <= 0)
			return;
		done += static_cast<size_t>(n);
	}
}

bool ParseLine(std::string_view line, Level* level, std::string_view* message) {
	for (int i = 0; i < 5; i++) {
		std::string_view name = kNames[i];
		if (line.size() >= name.size() + 2 && line.substr(0, name.size()) == name &&
		    line.substr(name.size(), 2) == ": ") {
			*level = static_cast<Level>(i);
			*message = line.substr(name.size() + 2);
			return true;
		}
	}
	return false;
}

}  // namespace pgwatch_rpc::log
