// `pgwatch-rpc send`: sends pgwatch-shaped measurements to a hub (or any pgwatch gRPC sink)
// with the URI pgwatch takes, for the demo, for users testing connectivity, and for tests.
// The only subcommand that uses grpc++ (src/sender); it runs in its own process.
#include "bin/commands.hpp"
#include "sender/send_options.hpp"
#include "sender/send_run.hpp"

#include <cstdio>

namespace pgwatch_rpc::bin {

int RunSend(int argc, char **argv) {
	sender::SendOptions options;
	std::string problem = sender::ParseSendOptions(argc, argv, &options);
	if (options.help) {
		std::fputs(sender::kSendUsage, stdout);
		return kExitOk;
	}
	if (!problem.empty()) {
		std::fprintf(stderr, "pgwatch-rpc send: %s\n(pgwatch-rpc send --help lists the options)\n",
		             problem.c_str());
		return kExitUsage;
	}
	return sender::RunSend(options, stdout, stderr);
}

} // namespace pgwatch_rpc::bin
