// Parsing of `pgwatch-rpc send` options (see send_options.hpp).
#include "sender/send_options.hpp"

#include "sender/metric_shapes.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace pgwatch_rpc::sender {

const char *const kSendUsage =
    "usage: pgwatch-rpc send --sink 'grpc://KEY:SECRET@HOST:PORT/?sslrootca=/path/ca.pem' [OPTIONS]\n"
    "\n"
    "Sends pgwatch-shaped measurements the way pgwatch's gRPC sink does: a SyncMetric ping,\n"
    "SyncMetric(AddOp) for every source and (source, metric), COUNT sequential\n"
    "UpdateMeasurements, then one DefineMetrics. Prints counts per status and metric.\n"
    "Exit status: 0 all calls OK, 1 some call failed, 2 usage or configuration error.\n"
    "\n"
    "options:\n"
    "  --sink URI              pgwatch's --sink value; TLS only when sslrootca is given\n"
    "  --count N               UpdateMeasurements calls (default 100)\n"
    "  --sources N             monitored sources prod-db-1..N (default 3)\n"
    "  --metrics LIST          comma-separated metric names (default: db_stats,table_stats,wal,\n"
    "                          backends,bgwriter,locks,index_stats,db_size)\n"
    "  --rows-per-envelope N|MIN-MAX\n"
    "                          rows per envelope (default: each metric's usual size: 1-5 for\n"
    "                          instance-wide metrics, 20-100 or 300-500 for per-table ones)\n"
    "  --interval-ms MS        pause between UpdateMeasurements calls (default 0)\n"
    "  --deadline-ms MS        deadline of each call (default 30000)\n"
    "  --seed N                random seed, for repeatable data (default: from the clock)\n";

namespace {

// ParseInt accepts a whole decimal number in [min, max].
bool ParseInt(const char *text, long min, long max, long *out) {
	errno = 0;
	char *end = nullptr;
	long v = std::strtol(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || v < min || v > max)
		return false;
	*out = v;
	return true;
}

std::string ParseMetrics(const std::string &list, std::vector<std::string> *out) {
	out->clear();
	size_t start = 0;
	while (start <= list.size()) {
		size_t comma = list.find(',', start);
		std::string name = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
		start = comma == std::string::npos ? list.size() + 1 : comma + 1;
		if (name.empty())
			continue;
		if (FindShape(name) == nullptr) {
			std::string known;
			for (const MetricShape &shape : AllShapes())
				known += (known.empty() ? "" : ", ") + std::string(shape.name);
			return "unknown metric \"" + name + "\" (known: " + known + ")";
		}
		bool seen = false;
		for (const std::string &m : *out)
			seen = seen || m == name;
		if (!seen)
			out->push_back(name);
	}
	if (out->empty())
		return "--metrics names no metric";
	return "";
}

std::string ParseRows(const std::string &text, SendOptions *out) {
	const long kMaxRows = 100000;
	size_t dash = text.find('-');
	long lo = 0, hi = 0;
	bool ok = dash == std::string::npos
	              ? ParseInt(text.c_str(), 1, kMaxRows, &lo) && (hi = lo, true)
	              : ParseInt(text.substr(0, dash).c_str(), 1, kMaxRows, &lo) &&
	                    ParseInt(text.substr(dash + 1).c_str(), 1, kMaxRows, &hi) && lo <= hi;
	if (!ok)
		return "--rows-per-envelope must be N or MIN-MAX with 1 <= MIN <= MAX <= 100000, not \"" + text +
		       "\"";
	out->rows_min = static_cast<int>(lo);
	out->rows_max = static_cast<int>(hi);
	return "";
}

} // namespace

std::string ParseSendOptions(int argc, char **argv, SendOptions *out) {
	*out = SendOptions();
	std::string problem = ParseMetrics(kDefaultMetrics, &out->metrics);
	bool have_sink = false;
	for (int i = 1; i < argc && problem.empty(); i++) {
		std::string arg = argv[i];
		if (arg == "--help" || arg == "-h") {
			out->help = true;
			return "";
		}
		// Accept both "--name value" and "--name=value", as pgwatch's own flags do.
		std::string value;
		size_t eq = arg.find('=');
		if (arg.rfind("--", 0) == 0 && eq != std::string::npos) {
			value = arg.substr(eq + 1);
			arg.resize(eq);
		} else if (arg.rfind("--", 0) == 0) {
			if (i + 1 >= argc)
				return arg + " needs a value";
			value = argv[++i];
		} else {
			return "unexpected argument \"" + arg + "\"";
		}
		long v = 0;
		if (arg == "--sink") {
			out->sink = value;
			problem = ParseSinkUri(value, &out->uri);
			have_sink = true;
		} else if (arg == "--count") {
			problem = ParseInt(value.c_str(), 0, 100000000, &v) ? "" : "--count must be 0..100000000";
			out->count = static_cast<int>(v);
		} else if (arg == "--sources") {
			problem = ParseInt(value.c_str(), 1, 100000, &v) ? "" : "--sources must be 1..100000";
			out->sources = static_cast<int>(v);
		} else if (arg == "--metrics") {
			problem = ParseMetrics(value, &out->metrics);
		} else if (arg == "--rows-per-envelope") {
			problem = ParseRows(value, out);
		} else if (arg == "--interval-ms") {
			problem = ParseInt(value.c_str(), 0, 3600000, &v) ? "" : "--interval-ms must be 0..3600000";
			out->interval_ms = static_cast<int>(v);
		} else if (arg == "--deadline-ms") {
			problem = ParseInt(value.c_str(), 1, 3600000, &v) ? "" : "--deadline-ms must be 1..3600000";
			out->deadline_ms = static_cast<int>(v);
		} else if (arg == "--seed") {
			errno = 0;
			char *end = nullptr;
			out->seed = std::strtoull(value.c_str(), &end, 10);
			problem = errno == 0 && end != value.c_str() && *end == '\0' ? "" : "--seed must be a number";
		} else {
			problem = "unknown option " + arg;
		}
	}
	if (problem.empty() && !have_sink)
		problem = "--sink is required";
	return problem;
}

} // namespace pgwatch_rpc::sender
