// Arguments and parent watch shared by the launcher's children (see child_options.hpp).
#include "bin/child_options.hpp"

#include "bin/commands.hpp"

#include <sys/prctl.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace pgwatch_rpc::bin {

int ParseChildOptions(int argc, char **argv, const char *usage, ChildOptions *out) {
	const char *command = argv[0];
	for (int i = 1; i < argc; i++) {
		std::string_view arg = argv[i];
		if (arg == "--help" || arg == "-h") {
			std::fputs(usage, stdout);
			return kExitOk;
		}
		if (arg == "--version") {
			std::printf("pgwatch-rpc %s\n", kVersion);
			return kExitOk;
		}
		if (arg.rfind("-", 0) != 0) {
			out->positionals.emplace_back(arg);
			continue;
		}
		if (arg != "--config" && arg != "--dsn" && arg != "--parent-pid") {
			std::fprintf(stderr, "pgwatch-rpc %s: unknown option \"%s\"\n%s", command, argv[i], usage);
			return kExitUsage;
		}
		if (i + 1 >= argc) {
			std::fprintf(stderr, "pgwatch-rpc %s: %s needs a value\n%s", command, argv[i], usage);
			return kExitUsage;
		}
		const char *value = argv[++i];
		if (arg == "--config") {
			out->config_file = value;
		} else if (arg == "--dsn") {
			out->dsn = value;
		} else {
			char *end = nullptr;
			out->parent_pid = std::strtol(value, &end, 10);
			if (*end != '\0' || out->parent_pid <= 1) {
				std::fprintf(stderr, "pgwatch-rpc %s: --parent-pid must be a process id, not \"%s\"\n", command,
				             value);
				return kExitUsage;
			}
		}
	}
	return -1;
}

bool WatchParent(const char *process_name, long parent_pid) {
	prctl(PR_SET_NAME, process_name, 0, 0, 0);
	if (parent_pid == 0)
		return true;
	prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
	// The launcher may have died before PDEATHSIG was armed.
	return getppid() == parent_pid;
}

} // namespace pgwatch_rpc::bin
