// Logging for the pgwatch-rpc child processes. Each record is one line on stderr,
// "<LEVEL>: <message>", which the launcher relays into the server log at that level
// (src/pg/log_relay.cpp). Messages never contain newlines: they are replaced by spaces,
// so a hostile string cannot forge a second record.
#pragma once
#include "core/core_only.hpp"

#include <string_view>

namespace pgwatch_rpc::log {

enum class Level { kDebug, kInfo, kLog, kWarning, kError };

// SetMinimumLevel drops records below `level` (default kLog).
void SetMinimumLevel(Level level);

// Write emits one record; safe to call from anywhere but signal handlers.
void Write(Level level, std::string_view message);

// Name of a level as written on the wire ("DEBUG", "INFO", "LOG", "WARNING", "ERROR").
std::string_view LevelName(Level level);

// ParseLine splits a relayed line back into level and message; false if it is not a record.
bool ParseLine(std::string_view line, Level* level, std::string_view* message);

}  // namespace pgwatch_rpc::log
