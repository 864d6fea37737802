// db_ceiling: the database's best ceiling for the listener's work, without gRPC (issue #2,
// "Benchmark", target b). Writes the same serialized pgwatch-shaped envelopes ingest_bench
// sends into a table shaped like pgwatch_rpc.spool (same columns, payload bytea with lz4,
// partitioned by received_at with the same (listener_id, seq) index, unless --plain), 100
// envelopes per transaction with synchronous_commit on, in three ways: (a) one multi-row
// INSERT with binary parameters per transaction, (b) one COPY FROM STDIN BINARY per
// transaction, (c) one INSERT … SELECT unnest(arrays) with binary array parameters, the
// statement shape the listener's group committer uses. Prints envelopes/s and rows/s
// (rows = pgwatch rows inside the envelopes).
#include "bench_envelopes.hpp"
#include "bench_flags.hpp"

#include <arpa/inet.h>
#include <libpq-fe.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace pgwatch_rpc::bench {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kPoolSize = 2000;
constexpr int kColumns = 8;
const char *const kTable = "pgwatch_rpc_bench_spool";
const char *const kColumnList = "(listener_id, seq, key_name, kind, dbname, metric, nrows, payload)";

struct Options {
	std::string dsn;
	double seconds = 10;
	double warmup_seconds = 1;
	int per_txn = 100;
	int connections = 1;
	bool plain = false;
	bool json = false;
	std::string modes = "insert,copy,unnest";
	uint64_t seed = 1;
};

constexpr const char *kUsage =
    "usage: db_ceiling --dsn CONNINFO [--seconds S] [--warmup-seconds W] [--per-txn N]\n"
    "                  [--connections C] [--modes insert,copy,unnest] [--plain] [--seed N] [--json]\n";

// ParseOptions reads argv; exits with the usage on anything it does not understand.
Options ParseOptions(int argc, char **argv) {
	Options o;
	ParseFlags(
	    argc, argv,
	    {
	        {"--dsn", [&](const std::string &v) { o.dsn = v; }},
	        {"--seconds", [&](const std::string &v) { o.seconds = std::atof(v.c_str()); }},
	        {"--warmup-seconds", [&](const std::string &v) { o.warmup_seconds = std::atof(v.c_str()); }},
	        {"--per-txn", [&](const std::string &v) { o.per_txn = std::atoi(v.c_str()); }},
	        {"--connections", [&](const std::string &v) { o.connections = std::atoi(v.c_str()); }},
	        {"--modes", [&](const std::string &v) { o.modes = v; }},
	        {"--plain", [&](const std::string &) { o.plain = true; }, false},
	        {"--seed", [&](const std::string &v) { o.seed = std::strtoull(v.c_str(), nullptr, 10); }},
	        {"--json", [&](const std::string &) { o.json = true; }, false},
	    },
	    kUsage);
	if (o.dsn.empty() || o.seconds <= 0 || o.warmup_seconds < 0 || o.per_txn < 1 || o.connections < 1)
		ExitWithUsage(kUsage);
	return o;
}

[[noreturn]] void Die(const std::string &what, PGconn *conn) {
	std::cerr << "db_ceiling: " << what << ": " << (conn ? PQerrorMessage(conn) : "") << "\n";
	std::exit(1);
}

PGconn *Connect(const std::string &dsn) {
	PGconn *conn = PQconnectdb(dsn.c_str());
	if (PQstatus(conn) != CONNECTION_OK)
		Die("cannot connect", conn);
	return conn;
}

void Exec(PGconn *conn, const std::string &sql) {
	PGresult *res = PQexec(conn, sql.c_str());
	ExecStatusType st = PQresultStatus(res);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		PQclear(res);
		Die(sql, conn);
	}
	PQclear(res);
}

// CreateTable (re)creates the bench table with the spool's columns, compression and index.
void CreateTable(PGconn *conn, bool plain) {
	std::string t = kTable;
	Exec(conn, "DROP TABLE IF EXISTS " + t);
	std::string columns = "(listener_id int NOT NULL, seq bigint NOT NULL,"
	                      " received_at timestamptz NOT NULL DEFAULT now(), key_name text NOT NULL,"
	                      " kind text NOT NULL CHECK (kind IN ('measurement', 'sync', 'define')),"
	                      " dbname text NOT NULL, metric text NOT NULL, nrows int NOT NULL,"
	                      " payload bytea COMPRESSION lz4 NOT NULL)";
	if (plain) {
		Exec(conn, "CREATE TABLE " + t + " " + columns);
	} else {
		// As the spool: range partitions by received_at plus a default partition. The column's
		// lz4 is declared before the partitions exist: ALTER … SET COMPRESSION on a partitioned
		// table does not reach partitions created earlier.
		Exec(conn, "CREATE TABLE " + t + " " + columns + " PARTITION BY RANGE (received_at)");
		Exec(conn, "CREATE TABLE " + t + "_today PARTITION OF " + t +
		               " FOR VALUES FROM (now() - interval '1 day') TO (now() + interval '1 day')");
		Exec(conn, "CREATE TABLE " + t + "_default PARTITION OF " + t + " DEFAULT");
	}
	Exec(conn, "CREATE INDEX ON " + t + " (listener_id, seq)");
}

// Binary encodings of the non-text parameters, kept alive for one statement.
struct BinaryInts {
	std::vector<uint32_t> int4;
	std::vector<uint64_t> int8;
};

uint64_t HostToNet64(uint64_t v) {
	return (static_cast<uint64_t>(htonl(static_cast<uint32_t>(v))) << 32) |
	       htonl(static_cast<uint32_t>(v >> 32));
}

struct ModeResult {
	std::string mode;
	int64_t envelopes = 0;
	int64_t rows = 0;
	int64_t bytes = 0;
	int64_t transactions = 0;
	double seconds = 0;
	// How the stored payloads were compressed: small ones stay inline and uncompressed.
	int64_t lz4_values = 0;
	int64_t pglz_values = 0;
	int64_t stored_values = 0;
};

// Writer is one connection writing batches of per_txn envelopes until the window closes.
class Writer {
public:
	Writer(const Options &options, int index, const std::vector<Envelope> &envelopes, const std::string &mode)
	    : options_(options), index_(index), envelopes_(envelopes), mode_(mode) {
		conn_ = Connect(options.dsn);
		Exec(conn_, "SET synchronous_commit = on");
		if (mode_ == "insert")
			PrepareInsert();
		else if (mode_ == "unnest")
			PrepareUnnest();
	}
	~Writer() { PQfinish(conn_); }

	void Start(Clock::time_point from, Clock::time_point until) {
		from_ = from;
		until_ = until;
		thread_ = std::thread([this] { Run(); });
	}
	void Join() { thread_.join(); }
	const ModeResult &result() const { return result_; }

private:
	void PrepareInsert() {
		std::string sql = std::string("INSERT INTO ") + kTable + " " + kColumnList + " VALUES ";
		std::vector<Oid> types;
		const Oid kColumnTypes[kColumns] = {23, 20, 25, 25, 25, 25, 23, 17};
		for (int r = 0; r < options_.per_txn; r++) {
			sql += r ? ",(" : "(";
			for (int c = 0; c < kColumns; c++) {
				sql += (c ? ",$" : "$") + std::to_string(r * kColumns + c + 1);
				types.push_back(kColumnTypes[c]);
			}
			sql += ")";
		}
		PGresult *res = PQprepare(conn_, "batch", sql.c_str(), static_cast<int>(types.size()), types.data());
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			Die("prepare", conn_);
		PQclear(res);
	}

	void PrepareUnnest() {
		std::string sql = std::string("INSERT INTO ") + kTable + " " + kColumnList +
		                  " SELECT * FROM unnest($1::int[], $2::bigint[], $3::text[], $4::text[], $5::text[],"
		                  " $6::text[], $7::int[], $8::bytea[])";
		PGresult *res = PQprepare(conn_, "unnest", sql.c_str(), 0, nullptr);
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			Die("prepare", conn_);
		PQclear(res);
	}

	// ArrayHeader starts a one-dimensional binary array of n elements of type element_oid,
	// without NULLs (the array_recv format).
	static void ArrayHeader(std::string &out, Oid element_oid, size_t n) {
		out.clear();
		PutInt32(out, 1); // dimensions
		PutInt32(out, 0); // no NULLs
		PutInt32(out, element_oid);
		PutInt32(out, static_cast<uint32_t>(n));
		PutInt32(out, 1); // lower bound
	}

	// UnnestBatch runs one INSERT … SELECT unnest(…) of per_txn envelopes (its own transaction).
	void UnnestBatch(std::vector<const Envelope *> &batch) {
		static const std::string kKey = "default", kKind = "measurement";
		const Oid kElementTypes[kColumns] = {23, 20, 25, 25, 25, 25, 23, 17};
		for (int c = 0; c < kColumns; c++)
			ArrayHeader(arrays_[c], kElementTypes[c], batch.size());
		for (const Envelope *e : batch) {
			PutInt32(arrays_[0], 4);
			PutInt32(arrays_[0], static_cast<uint32_t>(index_));
			PutInt32(arrays_[1], 8);
			uint64_t seq = HostToNet64(static_cast<uint64_t>(++seq_));
			arrays_[1].append(reinterpret_cast<const char *>(&seq), 8);
			PutField(arrays_[2], kKey);
			PutField(arrays_[3], kKind);
			PutField(arrays_[4], e->dbname);
			PutField(arrays_[5], e->metric);
			PutInt32(arrays_[6], 4);
			PutInt32(arrays_[6], static_cast<uint32_t>(e->nrows));
			PutField(arrays_[7], e->bytes);
		}
		const char *values[kColumns];
		int lengths[kColumns];
		int formats[kColumns];
		for (int c = 0; c < kColumns; c++) {
			values[c] = arrays_[c].data();
			lengths[c] = static_cast<int>(arrays_[c].size());
			formats[c] = 1;
		}
		PGresult *res = PQexecPrepared(conn_, "unnest", kColumns, values, lengths, formats, 0);
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			Die("insert … unnest", conn_);
		PQclear(res);
	}

	const Envelope &Next() {
		const Envelope &e = envelopes_[next_];
		next_ = (next_ + 1) % envelopes_.size();
		return e;
	}

	// InsertBatch runs one multi-row INSERT of per_txn envelopes (its own transaction).
	void InsertBatch(std::vector<const Envelope *> &batch) {
		size_t n = batch.size() * kColumns;
		std::vector<const char *> values(n);
		std::vector<int> lengths(n);
		std::vector<int> formats(n, 1);
		BinaryInts ints;
		ints.int4.resize(batch.size() * 2);
		ints.int8.resize(batch.size());
		static const std::string kKey = "default", kKind = "measurement";
		for (size_t r = 0; r < batch.size(); r++) {
			const Envelope &e = *batch[r];
			ints.int4[2 * r] = htonl(static_cast<uint32_t>(index_));
			ints.int4[2 * r + 1] = htonl(static_cast<uint32_t>(e.nrows));
			ints.int8[r] = HostToNet64(static_cast<uint64_t>(++seq_));
			size_t b = r * kColumns;
			values[b + 0] = reinterpret_cast<const char *>(&ints.int4[2 * r]);
			lengths[b + 0] = 4;
			values[b + 1] = reinterpret_cast<const char *>(&ints.int8[r]);
			lengths[b + 1] = 8;
			values[b + 2] = kKey.data();
			lengths[b + 2] = static_cast<int>(kKey.size());
			values[b + 3] = kKind.data();
			lengths[b + 3] = static_cast<int>(kKind.size());
			values[b + 4] = e.dbname.data();
			lengths[b + 4] = static_cast<int>(e.dbname.size());
			values[b + 5] = e.metric.data();
			lengths[b + 5] = static_cast<int>(e.metric.size());
			values[b + 6] = reinterpret_cast<const char *>(&ints.int4[2 * r + 1]);
			lengths[b + 6] = 4;
			values[b + 7] = e.bytes.data();
			lengths[b + 7] = static_cast<int>(e.bytes.size());
		}
		PGresult *res = PQexecPrepared(conn_, "batch", static_cast<int>(n), values.data(), lengths.data(),
		                               formats.data(), 0);
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			Die("insert", conn_);
		PQclear(res);
	}

	static void PutInt16(std::string &out, uint16_t v) {
		v = htons(v);
		out.append(reinterpret_cast<const char *>(&v), 2);
	}
	static void PutInt32(std::string &out, uint32_t v) {
		v = htonl(v);
		out.append(reinterpret_cast<const char *>(&v), 4);
	}
	static void PutField(std::string &out, const std::string &bytes) {
		PutInt32(out, static_cast<uint32_t>(bytes.size()));
		out += bytes;
	}

	// CopyBatch sends one COPY FROM STDIN BINARY of per_txn envelopes (its own transaction).
	void CopyBatch(std::vector<const Envelope *> &batch) {
		copy_buffer_.clear();
		copy_buffer_.append("PGCOPY\n\377\r\n\0", 11);
		PutInt32(copy_buffer_, 0); // flags
		PutInt32(copy_buffer_, 0); // header extension length
		static const std::string kKey = "default", kKind = "measurement";
		for (const Envelope *e : batch) {
			PutInt16(copy_buffer_, kColumns);
			PutInt32(copy_buffer_, 4);
			PutInt32(copy_buffer_, static_cast<uint32_t>(index_));
			PutInt32(copy_buffer_, 8);
			uint64_t seq = HostToNet64(static_cast<uint64_t>(++seq_));
			copy_buffer_.append(reinterpret_cast<const char *>(&seq), 8);
			PutField(copy_buffer_, kKey);
			PutField(copy_buffer_, kKind);
			PutField(copy_buffer_, e->dbname);
			PutField(copy_buffer_, e->metric);
			PutInt32(copy_buffer_, 4);
			PutInt32(copy_buffer_, static_cast<uint32_t>(e->nrows));
			PutField(copy_buffer_, e->bytes);
		}
		PutInt16(copy_buffer_, 0xFFFF); // trailer
		std::string sql = std::string("COPY ") + kTable + " " + kColumnList + " FROM STDIN (FORMAT binary)";
		PGresult *res = PQexec(conn_, sql.c_str());
		if (PQresultStatus(res) != PGRES_COPY_IN)
			Die("copy", conn_);
		PQclear(res);
		if (PQputCopyData(conn_, copy_buffer_.data(), static_cast<int>(copy_buffer_.size())) != 1 ||
		    PQputCopyEnd(conn_, nullptr) != 1)
			Die("copy data", conn_);
		while ((res = PQgetResult(conn_)) != nullptr) {
			if (PQresultStatus(res) != PGRES_COMMAND_OK)
				Die("copy end", conn_);
			PQclear(res);
		}
	}

	void Run() {
		next_ = (static_cast<size_t>(index_) * 997) % envelopes_.size();
		std::vector<const Envelope *> batch;
		result_.mode = mode_;
		while (Clock::now() < until_) {
			batch.clear();
			int64_t rows = 0, bytes = 0;
			for (int i = 0; i < options_.per_txn; i++) {
				batch.push_back(&Next());
				rows += batch.back()->nrows;
				bytes += static_cast<int64_t>(batch.back()->bytes.size());
			}
			Clock::time_point started = Clock::now();
			if (mode_ == "insert")
				InsertBatch(batch);
			else if (mode_ == "unnest")
				UnnestBatch(batch);
			else
				CopyBatch(batch);
			Clock::time_point finished = Clock::now();
			if (started >= from_ && finished <= until_) {
				result_.transactions++;
				result_.envelopes += static_cast<int64_t>(batch.size());
				result_.rows += rows;
				result_.bytes += bytes;
			}
		}
	}

	const Options &options_;
	int index_;
	const std::vector<Envelope> &envelopes_;
	std::string mode_;
	PGconn *conn_ = nullptr;
	size_t next_ = 0;
	int64_t seq_ = 0;
	std::string copy_buffer_;
	std::string arrays_[kColumns];
	Clock::time_point from_;
	Clock::time_point until_;
	std::thread thread_;
	ModeResult result_;
};

// RunMode measures one way of writing on a fresh table and checks the payloads went to lz4.
ModeResult RunMode(const Options &options, const std::vector<Envelope> &envelopes, const std::string &mode) {
	PGconn *admin = Connect(options.dsn);
	Exec(admin, "SET client_min_messages = warning");
	CreateTable(admin, options.plain);
	// Start each mode from a clean checkpoint so one mode's dirty buffers do not tax the next.
	Exec(admin, "CHECKPOINT");

	std::vector<std::unique_ptr<Writer>> writers;
	for (int i = 0; i < options.connections; i++)
		writers.push_back(std::make_unique<Writer>(options, i, envelopes, mode));
	auto to_duration = [](double s) {
		return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
	};
	Clock::time_point from = Clock::now() + to_duration(options.warmup_seconds);
	Clock::time_point until = from + to_duration(options.seconds);
	for (auto &w : writers)
		w->Start(from, until);
	for (auto &w : writers)
		w->Join();

	ModeResult total;
	total.mode = mode;
	total.seconds = options.seconds;
	for (auto &w : writers) {
		total.envelopes += w->result().envelopes;
		total.rows += w->result().rows;
		total.bytes += w->result().bytes;
		total.transactions += w->result().transactions;
	}
	writers.clear();

	std::string check = std::string("SELECT count(*) FILTER (WHERE pg_column_compression(payload) = 'lz4'),"
	                                " count(*) FILTER (WHERE pg_column_compression(payload) = 'pglz'),"
	                                " count(*) FROM ") +
	                    kTable;
	PGresult *res = PQexec(admin, check.c_str());
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		Die("compression check", admin);
	total.lz4_values = std::atoll(PQgetvalue(res, 0, 0));
	total.pglz_values = std::atoll(PQgetvalue(res, 0, 1));
	total.stored_values = std::atoll(PQgetvalue(res, 0, 2));
	PQclear(res);
	Exec(admin, std::string("DROP TABLE ") + kTable);
	PQfinish(admin);
	return total;
}

int Main(int argc, char **argv) {
	Options options = ParseOptions(argc, argv);
	std::vector<Envelope> envelopes = MakeEnvelopes(kPoolSize, options.seed);

	std::vector<ModeResult> results;
	for (const char *mode : {"insert", "copy", "unnest"}) {
		if (options.modes.find(mode) != std::string::npos)
			results.push_back(RunMode(options, envelopes, mode));
	}
	if (results.empty())
		ExitWithUsage(kUsage);

	const ModeResult *best = &results[0];
	for (const ModeResult &r : results)
		if (r.rows > best->rows)
			best = &r;

	auto per_s = [](int64_t n, const ModeResult &r) { return static_cast<double>(n) / r.seconds; };
	if (options.json) {
		std::printf("{\"table\":\"%s\",\"connections\":%d,\"envelopes_per_txn\":%d,\"seconds\":%.3f,"
		            "\"modes\":{",
		            options.plain ? "plain" : "partitioned", options.connections, options.per_txn,
		            options.seconds);
		for (size_t i = 0; i < results.size(); i++) {
			const ModeResult &r = results[i];
			std::printf("%s\"%s\":{\"envelopes_per_s\":%.1f,\"rows_per_s\":%.1f,\"mb_per_s\":%.3f,"
			            "\"txn_per_s\":%.2f,\"lz4_values\":%lld,\"pglz_values\":%lld,\"stored_values\":%lld}",
			            i ? "," : "", r.mode.c_str(), per_s(r.envelopes, r), per_s(r.rows, r),
			            per_s(r.bytes, r) / 1e6, per_s(r.transactions, r),
			            static_cast<long long>(r.lz4_values), static_cast<long long>(r.pglz_values),
			            static_cast<long long>(r.stored_values));
		}
		std::printf("},\"best_mode\":\"%s\",\"best_rows_per_s\":%.1f,\"best_envelopes_per_s\":%.1f}\n",
		            best->mode.c_str(), per_s(best->rows, *best), per_s(best->envelopes, *best));
		return 0;
	}
	std::printf("db ceiling: %s table, %d connection(s), %d envelopes per transaction, "
	            "synchronous_commit on, %.1f s per mode\n",
	            options.plain ? "plain" : "partitioned", options.connections, options.per_txn,
	            options.seconds);
	for (const ModeResult &r : results) {
		std::printf("  %-6s envelopes/s %9.1f   rows/s %10.1f   MB/s %7.2f   txn/s %7.2f\n", r.mode.c_str(),
		            per_s(r.envelopes, r), per_s(r.rows, r), per_s(r.bytes, r) / 1e6,
		            per_s(r.transactions, r));
		std::printf("         payloads stored %lld: lz4-compressed %lld, pglz-compressed %lld, rest inline\n",
		            static_cast<long long>(r.stored_values), static_cast<long long>(r.lz4_values),
		            static_cast<long long>(r.pglz_values));
	}
	std::printf("  best: %s\n", best->mode.c_str());
	return 0;
}

} // namespace
} // namespace pgwatch_rpc::bench

int main(int argc, char **argv) {
	return pgwatch_rpc::bench::Main(argc, argv);
}
