// What the launcher passes to every child it starts (`listen`, `deliver`): the hub's
// conninfo, the launcher's PID to watch, and the command's own file or name. One parser so
// every child reads them, and fails on them, the same way.
#pragma once

#include <string>
#include <vector>

namespace pgwatch_rpc::bin {

struct ChildOptions {
	std::string config_file;              // --config (listen)
	std::string dsn;                      // --dsn
	long parent_pid = 0;                  // --parent-pid; 0 = not supervised
	std::vector<std::string> positionals; // e.g. the sink name of `deliver`
};

// ParseChildOptions parses argv (argv[0] is the command name) and returns -1 to go on, or
// the exit code to return at once (after --help, --version, or a usage error printed with
// `usage`). It checks the form of each value only; the command checks which it requires.
int ParseChildOptions(int argc, char **argv, const char *usage, ChildOptions *out);

// WatchParent names the process and, when supervised, asks the kernel to send SIGTERM when
// the launcher dies. False if the launcher is already gone (the caller exits).
bool WatchParent(const char *process_name, long parent_pid);

} // namespace pgwatch_rpc::bin
