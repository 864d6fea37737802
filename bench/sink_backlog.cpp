// sink_backlog: fills pgwatch_rpc.spool with a backlog of at least --rows pgwatch rows for the
// sink benchmark (issue #3), as a listener would have stored them: whole pgwatch-shaped
// envelopes (bench_envelopes.hpp, issue #2's 80/17/3 size mix) under their own listener id,
// seq gapless from that listener's last row, kind 'measurement', received now. Written with
// COPY BINARY, one transaction per 2,000 envelopes: the fastest honest way to a backlog,
// since the spool rows are what the listener writes, byte for byte. Each pool of 2,000
// envelopes covers ~33 hours of pgwatch time, so the rows fall into a few daily partitions,
// as a backlog after an outage of a day would. Prints what it stored.
#include "bench_envelopes.hpp"
#include "bench_flags.hpp"
#include "sink_pg.hpp"

#include <arpa/inet.h>

#include <chrono>
#include <cstdio>

namespace pgwatch_rpc::bench {
namespace {

constexpr size_t kEnvelopesPerCopy = 2000;

struct Options {
	std::string dsn;
	int64_t rows = 1000000;
	std::string listener = "bench-backlog";
	uint64_t seed = 1;
	bool json = false;
};

constexpr const char *kUsage =
    "usage: sink_backlog --dsn CONNINFO [--rows N] [--listener NAME] [--seed N] [--json]\n";

Options ParseOptions(int argc, char **argv) {
	Options o;
	ParseFlags(argc, argv,
	           {
	               {"--dsn", [&](const std::string &v) { o.dsn = v; }},
	               {"--rows", [&](const std::string &v) { o.rows = std::atoll(v.c_str()); }},
	               {"--listener", [&](const std::string &v) { o.listener = v; }},
	               {"--seed", [&](const std::string &v) { o.seed = std::strtoull(v.c_str(), nullptr, 10); }},
	               {"--json", [&](const std::string &) { o.json = true; }, false},
	           },
	           kUsage);
	if (o.dsn.empty() || o.rows < 1 || o.listener.empty())
		ExitWithUsage(kUsage);
	return o;
}

void PutInt16(std::string &out, uint16_t v) {
	v = htons(v);
	out.append(reinterpret_cast<const char *>(&v), 2);
}

void PutInt32(std::string &out, uint32_t v) {
	v = htonl(v);
	out.append(reinterpret_cast<const char *>(&v), 4);
}

void PutInt64(std::string &out, uint64_t v) {
	PutInt32(out, static_cast<uint32_t>(v >> 32));
	PutInt32(out, static_cast<uint32_t>(v));
}

void PutField(std::string &out, const std::string &bytes) {
	PutInt32(out, static_cast<uint32_t>(bytes.size()));
	out += bytes;
}

// AppendSpoolRow: one row of the COPY below in binary format.
void AppendSpoolRow(int32_t listener_id, int64_t seq, const Envelope &e, std::string &out) {
	static const std::string kKey = "default", kKind = "measurement";
	PutInt16(out, 8);
	PutInt32(out, 4);
	PutInt32(out, static_cast<uint32_t>(listener_id));
	PutInt32(out, 8);
	PutInt64(out, static_cast<uint64_t>(seq));
	PutField(out, kKey);
	PutField(out, kKind);
	PutField(out, e.dbname);
	PutField(out, e.metric);
	PutInt32(out, 4);
	PutInt32(out, static_cast<uint32_t>(e.nrows));
	PutField(out, e.bytes);
}

int Main(int argc, char **argv) {
	Options options = ParseOptions(argc, argv);
	BenchDb db(options.dsn, "sink_backlog");
	db.Rows("INSERT INTO pgwatch_rpc.listeners (name) VALUES ($1) ON CONFLICT (name) DO NOTHING",
	        {options.listener});
	int32_t listener_id = std::atoi(
	    db.Value("SELECT id FROM pgwatch_rpc.listeners WHERE name = $1", {options.listener}).c_str());
	int64_t first_seq =
	    std::atoll(db.Value("SELECT coalesce(max(seq), 0) + 1 FROM pgwatch_rpc.spool WHERE listener_id = $1",
	                        {std::to_string(listener_id)})
	                   .c_str());

	auto started = std::chrono::steady_clock::now();
	int64_t seq = first_seq, rows = 0, envelopes = 0, bytes = 0;
	std::string copy;
	for (uint64_t pool = 0; rows < options.rows; pool++) {
		copy.assign("PGCOPY\n\377\r\n\0", 11);
		PutInt32(copy, 0); // flags
		PutInt32(copy, 0); // header extension length
		for (const Envelope &e : MakeEnvelopes(kEnvelopesPerCopy, options.seed + pool)) {
			if (rows >= options.rows)
				break;
			AppendSpoolRow(listener_id, seq++, e, copy);
			rows += e.nrows;
			envelopes++;
			bytes += static_cast<int64_t>(e.bytes.size());
		}
		PutInt16(copy, 0xFFFF); // trailer
		db.CopyIn("COPY pgwatch_rpc.spool (listener_id, seq, key_name, kind, dbname, metric, nrows, payload) "
		          "FROM STDIN (FORMAT binary)",
		          copy);
	}
	double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

	if (options.json)
		std::printf(
		    "{\"listener_id\":%d,\"first_seq\":%lld,\"last_seq\":%lld,\"envelopes\":%lld,\"rows\":%lld,"
		    "\"payload_bytes\":%lld,\"seconds\":%.3f}\n",
		    listener_id, static_cast<long long>(first_seq), static_cast<long long>(seq - 1),
		    static_cast<long long>(envelopes), static_cast<long long>(rows), static_cast<long long>(bytes),
		    seconds);
	else
		std::printf(
		    "spool backlog: listener %d, seq %lld..%lld: %lld envelopes, %lld rows, %.1f MB of payload "
		    "(built and stored in %.1f s)\n",
		    listener_id, static_cast<long long>(first_seq), static_cast<long long>(seq - 1),
		    static_cast<long long>(envelopes), static_cast<long long>(rows), static_cast<double>(bytes) / 1e6,
		    seconds);
	return 0;
}

} // namespace
} // namespace pgwatch_rpc::bench

int main(int argc, char **argv) {
	return pgwatch_rpc::bench::Main(argc, argv);
}
