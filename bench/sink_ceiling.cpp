// sink_ceiling: the database's ceiling for the postgres sink (issue #3): the rows a drain
// left in pgwatch's metric tables, copied back into the same tables with a plain
// `COPY … FROM STDIN` (text format, one COPY and one transaction per metric), with nothing
// else to do: no spool to read, no decoding, no mapping. Reads every metric table's rows
// (time, dbname, data, tag_data) into memory with COPY TO STDOUT, checks their number
// against --expect-rows, truncates the tables (their partitions and indexes stay), takes a
// checkpoint, then times the COPYs and reports how long the server backend ran on a CPU and
// waited for one.
#include "bench_flags.hpp"
#include "sink_pg.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <utility>

namespace pgwatch_rpc::bench {
namespace {

struct Options {
	std::string dsn;
	long long expect_rows = -1;
	bool json = false;
};

constexpr const char *kUsage = "usage: sink_ceiling --dsn CONNINFO [--expect-rows N] [--json]\n";

Options ParseOptions(int argc, char **argv) {
	Options o;
	ParseFlags(argc, argv,
	           {
	               {"--dsn", [&](const std::string &v) { o.dsn = v; }},
	               {"--expect-rows", [&](const std::string &v) { o.expect_rows = std::atoll(v.c_str()); }},
	               {"--json", [&](const std::string &) { o.json = true; }, false},
	           },
	           kUsage);
	if (o.dsn.empty())
		ExitWithUsage(kUsage);
	return o;
}

long long CountRows(BenchDb &db, const std::vector<std::string> &tables) {
	long long total = 0;
	for (const std::string &table : tables)
		total += std::atoll(db.Value("SELECT count(*) FROM " + table).c_str());
	return total;
}

int Main(int argc, char **argv) {
	Options options = ParseOptions(argc, argv);
	BenchDb db(options.dsn, "sink_ceiling");
	std::vector<std::string> tables;
	for (const auto &row : db.Rows("SELECT table_name FROM admin.get_top_level_metric_tables()"))
		tables.push_back(row[0]);

	std::vector<std::pair<std::string, std::string>> copies; // table, COPY text
	long long rows = 0, bytes = 0;
	for (const std::string &table : tables) {
		std::string text =
		    db.CopyOut("COPY (SELECT time, dbname, data, tag_data FROM " + table + ") TO STDOUT");
		rows += std::count(text.begin(), text.end(), '\n');
		bytes += static_cast<long long>(text.size());
		copies.emplace_back(table, std::move(text));
	}
	if (options.expect_rows >= 0 && rows != options.expect_rows) {
		std::fprintf(stderr, "sink_ceiling: the metric tables hold %lld rows, expected %lld\n", rows,
		             options.expect_rows);
		return 1;
	}

	std::string truncate = "TRUNCATE ";
	for (size_t i = 0; i < tables.size(); i++)
		truncate += (i ? ", " : "") + tables[i];
	db.Exec(truncate);
	db.Exec("CHECKPOINT");

	SchedTimes before = ReadSchedTimes(db.BackendPid());
	auto started = std::chrono::steady_clock::now();
	for (const auto &[table, text] : copies)
		db.CopyIn("COPY " + table + " (time, dbname, data, tag_data) FROM STDIN", text);
	double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
	SchedTimes after = ReadSchedTimes(db.BackendPid());
	double backend_cpu = after.on_cpu_s - before.on_cpu_s;
	double backend_runqueue = after.runqueue_s - before.runqueue_s;

	long long stored = CountRows(db, tables);
	if (stored != rows) {
		std::fprintf(stderr, "sink_ceiling: copied %lld rows but the tables hold %lld\n", rows, stored);
		return 1;
	}
	double rows_per_s = static_cast<double>(rows) / seconds;
	if (options.json) {
		std::printf("{\"tables\":%zu,\"rows\":%lld,\"copy_bytes\":%lld,\"seconds\":%.3f,\"rows_per_s\":%.1f,"
		            "\"backend_cpu_s\":%.3f,\"backend_runqueue_s\":%.3f}\n",
		            tables.size(), rows, bytes, seconds, rows_per_s, backend_cpu, backend_runqueue);
		return 0;
	}
	std::printf("plain COPY: %lld rows (%.1f MB of COPY text) into %zu metric tables in %.2f s: %.0f rows/s; "
	            "server backend on CPU %.2f s, waiting for a CPU %.2f s\n",
	            rows, static_cast<double>(bytes) / 1e6, tables.size(), seconds, rows_per_s, backend_cpu,
	            backend_runqueue);
	return 0;
}

} // namespace
} // namespace pgwatch_rpc::bench

int main(int argc, char **argv) {
	return pgwatch_rpc::bench::Main(argc, argv);
}
