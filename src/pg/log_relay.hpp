// Relays a child's stdout/stderr into the server log (DESIGN.md §3.2). Children write records
// "LEVEL: message" (src/core/log/log.hpp); each becomes one ereport at a matching level, never
// ERROR or above, so nothing a child prints can abort the launcher. Lines are bounded.
#pragma once

#include <cstddef>

namespace pgwatch_rpc::pg {

// Longest relayed line; the rest of a longer line is dropped and the line marked truncated.
constexpr size_t kRelayLineMax = 8192;

struct LogRelay {
	const char *source;           // prefix of every relayed message, e.g. "pgwatch-rpc listen"
	char line[kRelayLineMax + 1]; // the current incomplete line
	size_t length;
	bool truncating;   // dropping the tail of an over-long line
	bool auth_refused; // a line said the server refused the child's connection
};

// LogRelayInit prepares relay for a new child; source must outlive the relay.
void LogRelayInit(LogRelay *relay, const char *source);

// LogRelayPump reads at most max_bytes from the non-blocking descriptor fd and logs every
// complete line. Returns false when the child closed its end (or reading failed): the caller
// then closes fd; a last unterminated line has been logged.
bool LogRelayPump(LogRelay *relay, int fd, size_t max_bytes);

} // namespace pgwatch_rpc::pg
