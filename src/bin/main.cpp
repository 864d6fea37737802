// pgwatch-rpc: the child-process binary of pgwatch_rpc (DESIGN.md §3). main only dispatches
// to a subcommand; each subcommand lives in its own file.
#include "bin/commands.hpp"

#include <cstdio>
#include <cstring>
#include <string_view>

namespace {
void PrintUsage(FILE *out) {
	std::fputs("usage: pgwatch-rpc COMMAND [OPTIONS]\n"
	           "\n"
	           "commands:\n"
	           "  listen    serve pgwatch's gRPC sink protocol and write the spool\n"
	           "  deliver   deliver the spool to one sink (started by the launcher per sink)\n"
	           "  test-sink send one test measurement through a sink (rpc_sink_test)\n"
	           "  send      send pgwatch-shaped measurements to a pgwatch gRPC sink (a hub)\n"
	           "  sink-run  run one sink on sample measurements, without a database\n"
	           "\n"
	           "options: --help, --version; `pgwatch-rpc COMMAND --help` for a command's options\n",
	           out);
}
} // namespace

int main(int argc, char **argv) {
	if (argc < 2) {
		PrintUsage(stderr);
		return pgwatch_rpc::bin::kExitUsage;
	}
	std::string_view command = argv[1];
	if (command == "--help" || command == "-h") {
		PrintUsage(stdout);
		return 0;
	}
	if (command == "--version" || command == "-V") {
		std::printf("pgwatch-rpc %s\n", pgwatch_rpc::bin::kVersion);
		return 0;
	}
	if (command == "listen")
		return pgwatch_rpc::bin::RunListen(argc - 1, argv + 1);
	if (command == "deliver")
		return pgwatch_rpc::bin::RunDeliver(argc - 1, argv + 1);
	if (command == "test-sink")
		return pgwatch_rpc::bin::RunTestSink(argc - 1, argv + 1);
	if (command == "send")
		return pgwatch_rpc::bin::RunSend(argc - 1, argv + 1);
	if (command == "sink-run")
		return pgwatch_rpc::bin::RunSinkRun(argc - 1, argv + 1);
	std::fprintf(stderr, "pgwatch-rpc: unknown command \"%s\"\n", argv[1]);
	PrintUsage(stderr);
	return pgwatch_rpc::bin::kExitUsage;
}
