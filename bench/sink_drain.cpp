// sink_drain: how fast one delivery child drains a backlog (issue #3). Starts
// `pgwatch-rpc deliver SINK` by hand (the launcher must not run one: pgwatch_rpc.max_sinks = 0),
// watches the sink's cursors every 20 ms until each listener's is at the last spool row that
// existed at the start, and then, before stopping the child, reads its peak RSS (VmHWM) and
// how long it and the server backends serving it (application_name "pgwatch-rpc deliver
// SINK") ran on a CPU and waited for one: whether the child or the database limits the rate,
// and how much of the time went to other load on the machine.
// The clock runs from the fork, so the child's start-up (connecting, bootstrapping the sink's
// schema) is included; the time to the first batch is printed beside it.
#include "bench_flags.hpp"
#include "sink_pg.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <thread>

namespace pgwatch_rpc::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Options {
	std::string dsn;
	std::string binary = "/usr/lib/postgresql/15/bin/pgwatch-rpc";
	std::string sink = "postgres";
	std::string child_log = "/dev/null";
	double timeout_seconds = 1800;
	bool json = false;
};

constexpr const char *kUsage = "usage: sink_drain --dsn CONNINFO [--binary PGWATCH_RPC] [--sink NAME]\n"
                               "                  [--child-log FILE] [--timeout-seconds S] [--json]\n";

Options ParseOptions(int argc, char **argv) {
	Options o;
	ParseFlags(
	    argc, argv,
	    {
	        {"--dsn", [&](const std::string &v) { o.dsn = v; }},
	        {"--binary", [&](const std::string &v) { o.binary = v; }},
	        {"--sink", [&](const std::string &v) { o.sink = v; }},
	        {"--child-log", [&](const std::string &v) { o.child_log = v; }},
	        {"--timeout-seconds", [&](const std::string &v) { o.timeout_seconds = std::atof(v.c_str()); }},
	        {"--json", [&](const std::string &) { o.json = true; }, false},
	    },
	    kUsage);
	if (o.dsn.empty() || o.timeout_seconds <= 0)
		ExitWithUsage(kUsage);
	return o;
}

using Positions = std::map<std::string, long long>; // listener id -> seq

Positions ReadPositions(BenchDb &db, const std::string &sql, const std::vector<std::string> &params) {
	Positions out;
	for (const auto &row : db.Rows(sql, params))
		out[row[0]] = std::atoll(row[1].c_str());
	return out;
}

// The last spool row of every listener, and the sink's cursors (0 where it has none yet).
const char *const kEndsSql = "SELECT l.id, coalesce((SELECT max(s.seq) FROM pgwatch_rpc.spool AS s "
                             "WHERE s.listener_id = l.id), 0) FROM pgwatch_rpc.listeners AS l";
const char *const kCursorsSql =
    "SELECT l.id, coalesce(c.seq, 0) FROM pgwatch_rpc.listeners AS l "
    "LEFT JOIN pgwatch_rpc.sink_cursors AS c ON c.sink = $1 AND c.listener_id = l.id";

bool Reached(const Positions &cursors, const Positions &ends) {
	for (const auto &[listener, end] : ends) {
		auto it = cursors.find(listener);
		if (end > 0 && (it == cursors.end() || it->second < end))
			return false;
	}
	return true;
}

pid_t StartChild(const Options &o) {
	pid_t pid = fork();
	if (pid < 0) {
		std::perror("sink_drain: fork");
		std::exit(1);
	}
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM); // no orphaned child if this program dies
		int fd = open(o.child_log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
			close(fd);
		}
		execl(o.binary.c_str(), o.binary.c_str(), "deliver", o.sink.c_str(), "--dsn", o.dsn.c_str(),
		      static_cast<char *>(nullptr));
		std::perror("sink_drain: exec");
		_exit(127);
	}
	return pid;
}

void StopChild(pid_t pid) {
	kill(pid, SIGTERM);
	int status = 0;
	waitpid(pid, &status, 0);
}

int Main(int argc, char **argv) {
	Options options = ParseOptions(argc, argv);
	BenchDb db(options.dsn, "sink_drain");
	if (db.Value("SELECT count(*) FROM pgwatch_rpc.sinks WHERE name = $1 AND enabled", {options.sink}) !=
	    "1") {
		std::fprintf(stderr, "sink_drain: no enabled sink named \"%s\" (SELECT * FROM rpc_sinks)\n",
		             options.sink.c_str());
		return 1;
	}
	Positions ends = ReadPositions(db, kEndsSql, {});
	Positions start = ReadPositions(db, kCursorsSql, {options.sink});
	std::vector<std::vector<std::string>> backlog =
	    db.Rows("SELECT count(*), coalesce(sum(s.nrows) FILTER (WHERE s.kind = 'measurement'), 0) "
	            "FROM pgwatch_rpc.spool AS s LEFT JOIN pgwatch_rpc.sink_cursors AS c ON c.sink = $1 AND "
	            "c.listener_id = s.listener_id "
	            "WHERE s.seq > coalesce(c.seq, 0)",
	            {options.sink});
	long long envelopes = std::atoll(backlog[0][0].c_str()), rows = std::atoll(backlog[0][1].c_str());

	Clock::time_point started = Clock::now();
	pid_t child = StartChild(options);
	double first_batch_seconds = -1;
	while (true) {
		std::this_thread::sleep_for(std::chrono::milliseconds(20));
		double elapsed = std::chrono::duration<double>(Clock::now() - started).count();
		int status = 0;
		if (waitpid(child, &status, WNOHANG) == child) {
			std::fprintf(stderr, "sink_drain: the delivery child exited (status %d); see %s\n", status,
			             options.child_log.c_str());
			return 1;
		}
		Positions cursors = ReadPositions(db, kCursorsSql, {options.sink});
		if (first_batch_seconds < 0 && cursors != start)
			first_batch_seconds = elapsed;
		if (Reached(cursors, ends))
			break;
		if (elapsed > options.timeout_seconds) {
			StopChild(child);
			std::fprintf(stderr, "sink_drain: not drained after %.0f s; see %s\n", elapsed,
			             options.child_log.c_str());
			return 1;
		}
	}
	double seconds = std::chrono::duration<double>(Clock::now() - started).count();

	long peak_rss_kb = PeakRssKb(child);
	SchedTimes child_times = ReadSchedTimes(child);
	SchedTimes backend_times;
	std::string backend_pids;
	for (const auto &row :
	     db.Rows("SELECT pid FROM pg_stat_activity WHERE application_name = 'pgwatch-rpc deliver ' || $1",
	             {options.sink})) {
		backend_pids += (backend_pids.empty() ? "" : ",") + row[0];
		SchedTimes t = ReadSchedTimes(std::atoi(row[0].c_str()));
		backend_times.on_cpu_s += t.on_cpu_s;
		backend_times.runqueue_s += t.runqueue_s;
	}
	StopChild(child);

	double rows_per_s = static_cast<double>(rows) / seconds;
	if (options.json) {
		std::printf(
		    "{\"envelopes\":%lld,\"rows\":%lld,\"seconds\":%.3f,\"first_batch_seconds\":%.3f,"
		    "\"rows_per_s\":%.1f,\"peak_rss_kb\":%ld,\"child_cpu_s\":%.3f,\"child_runqueue_s\":%.3f,"
		    "\"backend_cpu_s\":%.3f,\"backend_runqueue_s\":%.3f,\"child_pid\":%d,\"backend_pids\":\"%s\"}\n",
		    envelopes, rows, seconds, first_batch_seconds, rows_per_s, peak_rss_kb, child_times.on_cpu_s,
		    child_times.runqueue_s, backend_times.on_cpu_s, backend_times.runqueue_s, static_cast<int>(child),
		    backend_pids.c_str());
		return 0;
	}
	std::printf("drained %lld envelopes / %lld rows in %.2f s (first batch after %.2f s): %.0f rows/s\n",
	            envelopes, rows, seconds, first_batch_seconds, rows_per_s);
	std::printf(
	    "delivery child: peak RSS %.1f MiB, on CPU %.2f s, waiting for a CPU %.2f s; its server backends: "
	    "on CPU %.2f s, waiting for a CPU %.2f s\n",
	    static_cast<double>(peak_rss_kb) / 1024.0, child_times.on_cpu_s, child_times.runqueue_s,
	    backend_times.on_cpu_s, backend_times.runqueue_s);
	return 0;
}

} // namespace
} // namespace pgwatch_rpc::bench

int main(int argc, char **argv) {
	return pgwatch_rpc::bench::Main(argc, argv);
}
