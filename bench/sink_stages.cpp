// sink_stages: where the postgres sink's own CPU goes per row (issue #3), without a database:
// the same envelope mix sink_backlog stores, passed through the steps the sink runs on every
// spool record in the same order: (1) RowMapper::Map (pgwatch's data/tag_data JSON, Go number
// and %v forms, straight from the protobuf bytes), (2) AppendCopyLine (COPY text escaping and
// the timestamp). Each step is timed per envelope; prints µs per row, each step's share and
// the rows/s one core could map if nothing else ran (reading the spool and the COPY itself
// are not in it: sink_drain's CPU figures show those). Times are this thread's CPU time, so
// other load on the machine does not inflate them. --json also names the stages.
#include "bench_envelopes.hpp"
#include "bench_flags.hpp"

#include "sinks/postgres/copy_text.hpp"
#include "sinks/postgres/row_mapping.hpp"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>

namespace pgwatch_rpc::bench {
namespace {

struct Options {
	int64_t rows = 200000;
	uint64_t seed = 1;
	bool json = false;
};

constexpr const char *kUsage = "usage: sink_stages [--rows N] [--seed N] [--json]\n";

Options ParseOptions(int argc, char **argv) {
	Options o;
	ParseFlags(argc, argv,
	           {
	               {"--rows", [&](const std::string &v) { o.rows = std::atoll(v.c_str()); }},
	               {"--seed", [&](const std::string &v) { o.seed = std::strtoull(v.c_str(), nullptr, 10); }},
	               {"--json", [&](const std::string &) { o.json = true; }, false},
	           },
	           kUsage);
	if (o.rows < 1)
		ExitWithUsage(kUsage);
	return o;
}

constexpr int kStages = 2;
const char *const kStageNames[kStages] = {"RowMapper::Map (data, tag_data)", "AppendCopyLine (COPY text)"};
constexpr size_t kEnvelopesPerPool = 2000; // as sink_backlog, so the mix is the same

[[noreturn]] void Die(const std::string &what) {
	std::cerr << "sink_stages: " << what << "\n";
	std::exit(1);
}

double ThreadCpuSeconds() {
	timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// Since: CPU seconds since *t, which moves to now.
double Since(double *t) {
	double now = ThreadCpuSeconds();
	double s = now - *t;
	*t = now;
	return s;
}

int Main(int argc, char **argv) {
	Options options = ParseOptions(argc, argv);
	double seconds[kStages] = {};
	int64_t rows = 0, copy_bytes = 0;
	std::string copy;
	sinks::RowMapper mapper;
	sinks::MappedEnvelope mapped;
	sink::Record record;
	for (uint64_t pool = 0; rows < options.rows; pool++) {
		for (const Envelope &e : MakeEnvelopes(kEnvelopesPerPool, options.seed + pool)) {
			if (rows >= options.rows)
				break;
			record.payload = e.bytes;
			double t = ThreadCpuSeconds();
			std::string error;
			if (!mapper.Map(record, &mapped, &error))
				Die("RowMapper::Map: " + error);
			seconds[0] += Since(&t);
			copy.clear();
			for (const sinks::MetricRow &row : mapped.rows)
				sinks::AppendCopyLine(mapped.dbname, row, &copy);
			seconds[1] += Since(&t);
			rows += static_cast<int64_t>(mapped.rows.size());
			copy_bytes += static_cast<int64_t>(copy.size());
		}
	}

	double total = 0;
	for (double s : seconds)
		total += s;
	double per_row_us = total * 1e6 / static_cast<double>(rows);
	if (options.json) {
		std::printf("{\"rows\":%lld,\"copy_bytes_per_row\":%.1f,\"us_per_row\":%.3f,\"rows_per_core_s\":%.1f,"
		            "\"stages_us_per_row\":[",
		            static_cast<long long>(rows), static_cast<double>(copy_bytes) / static_cast<double>(rows),
		            per_row_us, static_cast<double>(rows) / total);
		for (int i = 0; i < kStages; i++)
			std::printf("%s%.3f", i ? "," : "", seconds[i] * 1e6 / static_cast<double>(rows));
		std::printf("],\"stage_names\":[");
		for (int i = 0; i < kStages; i++)
			std::printf("%s\"%s\"", i ? "," : "", kStageNames[i]);
		std::printf("]}\n");
		return 0;
	}
	std::printf("postgres sink mapping, one core, %lld rows (%.0f bytes of COPY text per row):\n",
	            static_cast<long long>(rows), static_cast<double>(copy_bytes) / static_cast<double>(rows));
	for (int i = 0; i < kStages; i++)
		std::printf("  %-32s %7.2f us/row  %5.1f%%\n", kStageNames[i],
		            seconds[i] * 1e6 / static_cast<double>(rows), 100 * seconds[i] / total);
	std::printf("  %-32s %7.2f us/row  = %.0f rows/s per core\n", "all steps", per_row_us,
	            static_cast<double>(rows) / total);
	return 0;
}

} // namespace
} // namespace pgwatch_rpc::bench

int main(int argc, char **argv) {
	return pgwatch_rpc::bench::Main(argc, argv);
}
