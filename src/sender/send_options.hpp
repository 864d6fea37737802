// Command-line options of `pgwatch-rpc send` and their parsing. Pure: the caller prints the
// error and the usage text and exits with 2.
#pragma once

#include "sender/sink_uri.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace pgwatch_rpc::sender {

struct SendOptions {
	std::string sink;                 // as given, for messages
	SinkUri uri;                      // parsed --sink
	int count = 100;                  // UpdateMeasurements calls
	int sources = 3;                  // prod-db-1 … prod-db-N
	std::vector<std::string> metrics; // known metric names, in the order given
	int rows_min = 0;                 // 0: each metric's natural size
	int rows_max = 0;
	int interval_ms = 0;     // pause between UpdateMeasurements calls
	int deadline_ms = 30000; // per call, so a stuck server cannot hang the sender
	uint64_t seed = 0;       // 0: from the clock
	bool help = false;
};

// kSendUsage is printed by --help and after a usage error.
extern const char *const kSendUsage;

// ParseSendOptions parses argv[1..argc-1] (argv[0] is "send") into *out. Returns "" or the
// problem. Checks the URI's syntax only; the CA file is read when the channel is made.
std::string ParseSendOptions(int argc, char **argv, SendOptions *out);

} // namespace pgwatch_rpc::sender
