// libpq for the sink benchmarks (sink_backlog, sink_drain, sink_ceiling): one blocking
// connection whose every failure ends the program with the server's message, plus COPY in
// both directions, and what /proc says about a process's CPU time and memory.
#pragma once

#include <libpq-fe.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

namespace pgwatch_rpc::bench {

class BenchDb {
public:
	BenchDb(const std::string &dsn, std::string program) : program_(std::move(program)) {
		conn_ = PQconnectdb(dsn.c_str());
		if (PQstatus(conn_) != CONNECTION_OK)
			Die("cannot connect");
	}
	~BenchDb() { PQfinish(conn_); }
	BenchDb(const BenchDb &) = delete;
	BenchDb &operator=(const BenchDb &) = delete;

	[[noreturn]] void Die(const std::string &what) const {
		std::cerr << program_ << ": " << what << ": " << PQerrorMessage(conn_) << "\n";
		std::exit(1);
	}

	int BackendPid() const { return PQbackendPID(conn_); }

	// Rows runs sql with text parameters and returns its rows as text (NULL as "").
	std::vector<std::vector<std::string>> Rows(const std::string &sql,
	                                           const std::vector<std::string> &params = {}) {
		std::vector<const char *> values;
		for (const std::string &p : params)
			values.push_back(p.c_str());
		PGresult *res = PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
		                             values.data(), nullptr, nullptr, 0);
		ExecStatusType st = PQresultStatus(res);
		if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
			PQclear(res);
			Die(sql);
		}
		std::vector<std::vector<std::string>> rows(static_cast<size_t>(PQntuples(res)));
		for (int r = 0; r < PQntuples(res); r++)
			for (int c = 0; c < PQnfields(res); c++)
				rows[static_cast<size_t>(r)].emplace_back(PQgetvalue(res, r, c));
		PQclear(res);
		return rows;
	}

	// Value: the first column of the first row, "" when there is none.
	std::string Value(const std::string &sql, const std::vector<std::string> &params = {}) {
		std::vector<std::vector<std::string>> rows = Rows(sql, params);
		return rows.empty() || rows[0].empty() ? std::string() : rows[0][0];
	}

	void Exec(const std::string &sql) { Rows(sql); }

	// CopyIn runs `COPY … FROM STDIN` and sends data in 1 MiB messages.
	void CopyIn(const std::string &copy_sql, const std::string &data) {
		PGresult *res = PQexec(conn_, copy_sql.c_str());
		if (PQresultStatus(res) != PGRES_COPY_IN) {
			PQclear(res);
			Die(copy_sql);
		}
		PQclear(res);
		constexpr size_t kChunk = 1 << 20;
		for (size_t at = 0; at < data.size(); at += kChunk) {
			size_t n = std::min(kChunk, data.size() - at);
			if (PQputCopyData(conn_, data.data() + at, static_cast<int>(n)) != 1)
				Die(copy_sql);
		}
		if (PQputCopyEnd(conn_, nullptr) != 1)
			Die(copy_sql);
		FinishCommand(copy_sql);
	}

	// CopyOut runs `COPY … TO STDOUT` and returns everything it sent.
	std::string CopyOut(const std::string &copy_sql) {
		PGresult *res = PQexec(conn_, copy_sql.c_str());
		if (PQresultStatus(res) != PGRES_COPY_OUT) {
			PQclear(res);
			Die(copy_sql);
		}
		PQclear(res);
		std::string out;
		char *buf = nullptr;
		int n;
		while ((n = PQgetCopyData(conn_, &buf, 0)) > 0) {
			out.append(buf, static_cast<size_t>(n));
			PQfreemem(buf);
		}
		if (n != -1)
			Die(copy_sql);
		FinishCommand(copy_sql);
		return out;
	}

private:
	void FinishCommand(const std::string &sql) {
		PGresult *res;
		while ((res = PQgetResult(conn_)) != nullptr) {
			bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
			PQclear(res);
			if (!ok)
				Die(sql);
		}
	}

	std::string program_;
	PGconn *conn_ = nullptr;
};

// SchedTimes: how long a process has run on a CPU and how long it sat runnable waiting for
// one (/proc/PID/schedstat), in seconds: on this shared 2-core machine the second one tells
// other load from our own. Zeros if the process is gone.
struct SchedTimes {
	double on_cpu_s = 0;
	double runqueue_s = 0;
};

inline SchedTimes ReadSchedTimes(int pid) {
	std::ifstream in("/proc/" + std::to_string(pid) + "/schedstat");
	unsigned long long on_cpu_ns = 0, runqueue_ns = 0;
	SchedTimes t;
	if (in >> on_cpu_ns >> runqueue_ns) {
		t.on_cpu_s = static_cast<double>(on_cpu_ns) / 1e9;
		t.runqueue_s = static_cast<double>(runqueue_ns) / 1e9;
	}
	return t;
}

// PeakRssKb: the process's VmHWM (peak resident set size) in kB, 0 if it is gone.
inline long PeakRssKb(int pid) {
	std::ifstream in("/proc/" + std::to_string(pid) + "/status");
	std::string line;
	while (std::getline(in, line))
		if (line.rfind("VmHWM:", 0) == 0)
			return std::strtol(line.c_str() + 6, nullptr, 10);
	return 0;
}

} // namespace pgwatch_rpc::bench
