// bench_json_documents: throughput of the JSON row documents of the HTTP sinks (src/core/json)
// on pgwatch-shaped envelopes (bench_envelopes.hpp: issue #2's 80/17/3 size mix), in the same
// run as a baseline that does the same work through nlohmann trees (wire::PayloadToJson, parse,
// build each document as a tree, dump). Modes:
//   direct    DocumentSerializer: NDJSON documents straight from the protobuf bytes
//   bulk      direct plus an Elasticsearch action line with a SHA-256 row id per document
//   nlohmann  the baseline
//   gzip      gzip (the HTTP client's level) of the direct output, per MB of JSON
// Prints rows/s, MB/s of JSON produced and of protobuf consumed, and direct/nlohmann, per CPU
// second of the measuring thread.
#include "bench_envelopes.hpp"
#include "bench_flags.hpp"

#include "core/http/gzip.hpp"
#include "core/json/document.hpp"
#include "core/json/value_text.hpp"
#include "core/wire/payload_json.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <string>
#include <vector>

namespace pgwatch_rpc::bench {
namespace {

struct Options {
	size_t envelopes = 2000;
	double seconds = 3;
	uint64_t seed = 1;
	bool json = false;
};

constexpr const char *kUsage =
    "usage: bench_json_documents [--envelopes N] [--seconds S] [--seed N] [--json]\n";

Options ParseOptions(int argc, char **argv) {
	Options o;
	ParseFlags(argc, argv,
	           {
	               {"--envelopes",
	                [&](const std::string &v) { o.envelopes = std::strtoull(v.c_str(), nullptr, 10); }},
	               {"--seconds", [&](const std::string &v) { o.seconds = std::atof(v.c_str()); }},
	               {"--seed", [&](const std::string &v) { o.seed = std::strtoull(v.c_str(), nullptr, 10); }},
	               {"--json", [&](const std::string &) { o.json = true; }, false},
	           },
	           kUsage);
	if (o.envelopes < 100 || o.seconds <= 0)
		ExitWithUsage(kUsage);
	return o;
}

// One pass over a record appends its documents to *out and returns its rows.
using Pass = std::function<size_t(const sink::Record &record, std::string *out)>;

struct Figures {
	const char *mode;
	double seconds = 0;
	uint64_t rows = 0;
	uint64_t in_bytes = 0;
	uint64_t out_bytes = 0;
	double rows_per_s() const { return rows / seconds; }
	double out_mb_per_s() const { return out_bytes / seconds / 1e6; }
	double in_mb_per_s() const { return in_bytes / seconds / 1e6; }
};

// ThreadCpuSeconds: CPU time of this thread. The figures are per CPU second, so that other
// processes on a shared machine do not show up in them.
double ThreadCpuSeconds() {
	timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

struct Mode {
	Figures figures;
	Pass pass;
};

// MeasureRound runs one mode over the whole pool; the output buffer is emptied every 500
// records, the size of a bulk request of a few MB.
void MeasureRound(const std::vector<sink::Record> &pool, Mode *mode) {
	std::string out;
	out.reserve(16 << 20);
	double start = ThreadCpuSeconds();
	for (size_t i = 0; i < pool.size(); i++) {
		mode->figures.rows += mode->pass(pool[i], &out);
		mode->figures.in_bytes += pool[i].payload.size();
		if (i % 500 == 499 || i + 1 == pool.size()) {
			mode->figures.out_bytes += out.size();
			out.clear();
		}
	}
	mode->figures.seconds += ThreadCpuSeconds() - start;
}

// NlohmannDocuments: the baseline, the same documents built as nlohmann trees.
size_t NlohmannDocuments(const sink::Record &record, std::string *out) {
	std::string text;
	const auto *bytes = reinterpret_cast<const uint8_t *>(record.payload.data());
	if (!wire::PayloadToJson(wire::PayloadKind::kMeasurement, bytes, record.payload.size(),
	                         json::SpoolDecodeLimits(), &text)
	         .ok())
		return 0;
	nlohmann::json envelope = nlohmann::json::parse(text);
	const nlohmann::json &rows = envelope["Data"];
	auto valid_epoch = [](const nlohmann::json &row, int64_t *ns) {
		auto it = row.find("epoch_ns");
		if (it == row.end() || !it->is_number())
			return false;
		double d = it->get<double>();
		if (!std::isfinite(d) || d <= 0 || d >= 9.2e18)
			return false;
		*ns = static_cast<int64_t>(d);
		return true;
	};
	int64_t envelope_ns = record.received_at_us * 1000;
	if (!rows.empty())
		valid_epoch(rows[0], &envelope_ns);
	for (const nlohmann::json &row : rows) {
		int64_t ns = envelope_ns;
		valid_epoch(row, &ns);
		std::string timestamp;
		json::AppendRfc3339Nanos(ns, &timestamp);
		nlohmann::json tags = nlohmann::json::object();
		for (auto it = envelope["CustomTags"].begin(); it != envelope["CustomTags"].end(); ++it)
			tags[it.key()] = it.value();
		nlohmann::json data = nlohmann::json::object();
		for (auto it = row.begin(); it != row.end(); ++it) {
			if (it.key() == "epoch_ns")
				continue;
			if (it.key().compare(0, 4, "tag_") == 0)
				tags[it.key().substr(4)] = it.value(); // the mix's tags are strings, their own %v
			else
				data[it.key()] = it.value();
		}
		nlohmann::json doc = {{"@timestamp", timestamp},
		                      {"dbname", envelope["DBName"]},
		                      {"metric", envelope["MetricName"]},
		                      {"tags", std::move(tags)},
		                      {"data", std::move(data)}};
		out->append(doc.dump());
		out->push_back('\n');
	}
	return rows.size();
}

void Print(const Options &o, const std::vector<Figures> &all, double gzip_mb_per_s, double gzip_ratio) {
	const Figures &direct = all[0], &baseline = all[2];
	double speedup = direct.rows_per_s() / baseline.rows_per_s();
	if (o.json) {
		std::printf("{\"envelopes\":%zu,\"seed\":%llu", o.envelopes, static_cast<unsigned long long>(o.seed));
		for (const Figures &f : all)
			std::printf(",\"%s\":{\"rows_per_s\":%.0f,\"json_mb_per_s\":%.1f,\"protobuf_mb_per_s\":%.1f}",
			            f.mode, f.rows_per_s(), f.out_mb_per_s(), f.in_mb_per_s());
		std::printf(",\"direct_over_nlohmann\":%.2f,\"gzip_json_mb_per_s\":%.1f,\"gzip_ratio\":%.2f}\n",
		            speedup, gzip_mb_per_s, gzip_ratio);
		return;
	}
	std::printf(
	    "JSON row documents: %zu pgwatch-shaped envelopes (seed %llu), per CPU second of one thread\n",
	    o.envelopes, static_cast<unsigned long long>(o.seed));
	for (const Figures &f : all)
		std::printf("  %-9s rows/s %11.0f   JSON MB/s %7.1f   protobuf MB/s %7.1f\n", f.mode, f.rows_per_s(),
		            f.out_mb_per_s(), f.in_mb_per_s());
	std::printf("  direct / nlohmann: %.2fx\n", speedup);
	std::printf("  gzip (level of the HTTP client) of the direct output: %.1f MB/s of JSON, %.2fx smaller\n",
	            gzip_mb_per_s, gzip_ratio);
}

} // namespace
} // namespace pgwatch_rpc::bench

int main(int argc, char **argv) {
	using namespace pgwatch_rpc;
	using namespace pgwatch_rpc::bench;
	Options o = ParseOptions(argc, argv);
	std::vector<sink::Record> pool;
	for (Envelope &e : MakeEnvelopes(o.envelopes, o.seed)) {
		sink::Record r;
		r.listener_id = 1;
		r.seq = static_cast<int64_t>(pool.size()) + 1;
		r.received_at_us = 1'800'000'000'000'000;
		r.dbname = e.dbname;
		r.metric = e.metric;
		r.nrows = e.nrows;
		r.payload = std::move(e.bytes);
		pool.push_back(std::move(r));
	}

	json::DocumentSerializer serializer;
	json::MeasurementRows rows;
	json::RowIdHasher ids;
	std::vector<Mode> modes;
	modes.push_back({{"direct"}, [&](const sink::Record &r, std::string *out) {
		                 size_t n = 0;
		                 serializer.AppendRecord(r, out, &n);
		                 return n;
	                 }});
	modes.push_back({{"bulk"}, [&](const sink::Record &r, std::string *out) {
		                 size_t n = 0;
		                 json::Row row;
		                 if (!rows.Open(r).ok())
			                 return n;
		                 while (rows.Next(&row)) {
			                 out->append("{\"create\":{\"_id\":\"");
			                 ids.Append(r, row, out);
			                 out->append("\"}}\n");
			                 json::AppendDocument(row, out);
			                 out->push_back('\n');
			                 n++;
		                 }
		                 return n;
	                 }});
	modes.push_back({{"nlohmann"}, NlohmannDocuments});
	// Rounds alternate between the modes, so that they share whatever the machine does meanwhile.
	double total = 0;
	while (total < o.seconds * static_cast<double>(modes.size())) {
		for (Mode &mode : modes)
			MeasureRound(pool, &mode);
		total = 0;
		for (const Mode &mode : modes)
			total += mode.figures.seconds;
	}
	std::vector<Figures> all;
	for (const Mode &mode : modes)
		all.push_back(mode.figures);

	// gzip of a representative body: the direct output of 500 records.
	std::string body, compressed;
	for (size_t i = 0; i < 500; i++)
		serializer.AppendRecord(pool[i], &body);
	uint64_t gzipped = 0;
	double start = ThreadCpuSeconds(), elapsed = 0;
	while (elapsed < o.seconds) {
		http::GzipCompress(body, &compressed);
		gzipped += body.size();
		elapsed = ThreadCpuSeconds() - start;
	}
	Print(o, all, gzipped / elapsed / 1e6, static_cast<double>(body.size()) / compressed.size());
	return 0;
}
