// bench_http_sinks: rows/s the elastic and webhook sinks deliver to a local endpoint that
// accepts everything (an in-process loopback HTTP/1.1 server answering 200 {"errors":false},
// which is a bulk success for one and a 2xx for the other), against the JSON row documents
// alone (json::DocumentSerializer, the ceiling) in the same run, on pgwatch-shaped
// envelopes (bench_envelopes.hpp). Batches are cut as the delivery engine cuts them
// (max_batch_rows, default 5000). Prints wall-clock rows/s and rows per CPU second of the
// sink's thread (serialization, ids, gzip, libcurl; the server's thread is not counted).
#include "bench_envelopes.hpp"
#include "bench_flags.hpp"

#include "core/delivery/sink_context.hpp"
#include "core/json/document.hpp"
#include "sinks/elastic/elastic_sink.hpp"
#include "sinks/webhook/webhook_sink.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>
#include <thread>
#include <vector>

namespace pgwatch_rpc::bench {
namespace {

struct Options {
	size_t envelopes = 3000;
	size_t batch_rows = 5000;
	int rounds = 3;
	uint64_t seed = 1;
};

constexpr const char *kUsage =
    "usage: bench_http_sinks [--envelopes N] [--batch-rows N] [--rounds N] [--seed N]\n";

double ThreadCpuSeconds() {
	timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

double WallSeconds() {
	using namespace std::chrono;
	return duration_cast<duration<double>>(steady_clock::now().time_since_epoch()).count();
}

// AcceptAllServer: answers every request with a bulk response without errors. One thread per
// connection; the sink keeps one connection alive.
class AcceptAllServer {
public:
	AcceptAllServer() {
		fd_ = socket(AF_INET, SOCK_STREAM, 0);
		sockaddr_in addr{};
		addr.sin_family = AF_INET;
		addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		socklen_t len = sizeof addr;
		if (bind(fd_, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0 || listen(fd_, 16) != 0 ||
		    getsockname(fd_, reinterpret_cast<sockaddr *>(&addr), &len) != 0) {
			std::perror("bench_http_sinks: listen");
			std::exit(1);
		}
		port_ = ntohs(addr.sin_port);
		std::thread([this] {
			for (int client; (client = accept(fd_, nullptr, nullptr)) >= 0;)
				std::thread(Serve, client).detach();
		}).detach();
	}
	int port() const { return port_; }

private:
	static void Serve(int fd) {
		static const std::string kReply = "HTTP/1.1 200 OK\r\nContent-Type: "
		                                  "application/json\r\nContent-Length: 16\r\n\r\n{\"errors\":false}";
		std::string in;
		char buf[1 << 16];
		while (true) {
			size_t header_end;
			while ((header_end = in.find("\r\n\r\n")) == std::string::npos) {
				ssize_t n = read(fd, buf, sizeof buf);
				if (n <= 0) {
					close(fd);
					return;
				}
				in.append(buf, static_cast<size_t>(n));
			}
			size_t length = 0;
			size_t at = in.find("Content-Length: ");
			if (at == std::string::npos)
				at = in.find("content-length: ");
			if (at != std::string::npos && at < header_end)
				length = std::strtoull(in.c_str() + at + 16, nullptr, 10);
			while (in.size() < header_end + 4 + length) {
				ssize_t n = read(fd, buf, sizeof buf);
				if (n <= 0) {
					close(fd);
					return;
				}
				in.append(buf, static_cast<size_t>(n));
			}
			in.erase(0, header_end + 4 + length);
			if (write(fd, kReply.data(), kReply.size()) != static_cast<ssize_t>(kReply.size())) {
				close(fd);
				return;
			}
		}
	}

	int fd_ = -1;
	int port_ = 0;
};

struct Figures {
	double wall = 0;
	double cpu = 0;
	uint64_t rows = 0;
};

void Print(const char *mode, const Figures &f) {
	std::printf("  %-30s rows/s %10.0f (wall)  %10.0f (per CPU second of the thread)\n", mode,
	            f.rows / f.wall, f.rows / f.cpu);
}

} // namespace
} // namespace pgwatch_rpc::bench

int main(int argc, char **argv) {
	using namespace pgwatch_rpc;
	using namespace pgwatch_rpc::bench;
	Options o;
	ParseFlags(argc, argv,
	           {
	               {"--envelopes",
	                [&](const std::string &v) { o.envelopes = std::strtoull(v.c_str(), nullptr, 10); }},
	               {"--batch-rows",
	                [&](const std::string &v) { o.batch_rows = std::strtoull(v.c_str(), nullptr, 10); }},
	               {"--rounds", [&](const std::string &v) { o.rounds = std::atoi(v.c_str()); }},
	               {"--seed", [&](const std::string &v) { o.seed = std::strtoull(v.c_str(), nullptr, 10); }},
	           },
	           kUsage);
	if (o.envelopes < 10 || o.batch_rows < 1 || o.rounds < 1)
		ExitWithUsage(kUsage);

	// Batches as the engine cuts them: whole records up to batch_rows rows.
	std::vector<sink::Batch> batches(1);
	uint64_t total_rows = 0;
	size_t rows_in_batch = 0;
	int64_t seq = 1;
	for (Envelope &e : MakeEnvelopes(o.envelopes, o.seed)) {
		if (!batches.back().records.empty() && rows_in_batch + e.nrows > o.batch_rows) {
			batches.emplace_back();
			rows_in_batch = 0;
		}
		rows_in_batch += e.nrows;
		sink::Record r;
		r.listener_id = 1;
		r.seq = seq++;
		r.received_at_us = 1'800'000'000'000'000;
		r.dbname = e.dbname;
		r.metric = e.metric;
		r.nrows = static_cast<int32_t>(e.nrows);
		r.payload = std::move(e.bytes);
		total_rows += e.nrows;
		batches.back().payload_bytes += r.payload.size();
		batches.back().records.push_back(std::move(r));
	}

	AcceptAllServer server;
	const std::string url = "http://127.0.0.1:" + std::to_string(server.port());
	using Factory = std::unique_ptr<sink::Sink> (*)(const delivery::SinkContext &);
	auto run_sink = [&](Factory create, nlohmann::json config) {
		delivery::SinkContext context;
		context.sink_name = "bench";
		context.config = std::move(config);
		context.config["proxy"] = "";
		std::unique_ptr<sink::Sink> sink = create(context);
		Figures f;
		for (int round = 0; round < o.rounds; round++) {
			double wall = WallSeconds(), cpu = ThreadCpuSeconds();
			for (const sink::Batch &batch : batches)
				if (sink->Deliver(batch).status != sink::Outcome::Status::kDelivered) {
					std::fprintf(stderr, "bench_http_sinks: a delivery failed\n");
					std::exit(1);
				}
			f.wall += WallSeconds() - wall;
			f.cpu += ThreadCpuSeconds() - cpu;
			f.rows += total_rows;
		}
		return f;
	};
	auto run_serializer = [&] {
		json::DocumentSerializer serializer;
		std::string out;
		Figures f;
		for (int round = 0; round < o.rounds; round++) {
			double wall = WallSeconds(), cpu = ThreadCpuSeconds();
			for (const sink::Batch &batch : batches) {
				out.clear();
				for (const sink::Record &r : batch.records)
					serializer.AppendRecord(r, &out);
			}
			f.wall += WallSeconds() - wall;
			f.cpu += ThreadCpuSeconds() - cpu;
			f.rows += total_rows;
		}
		return f;
	};

	auto elastic = [&](const char *compression) {
		return run_sink(sinks::CreateElasticSink, {{"hosts", {url}}, {"compression", compression}});
	};
	auto webhook = [&](const char *format) {
		return run_sink(sinks::CreateWebhookSink, {{"url", url + "/ingest"}, {"format", format}});
	};

	std::printf(
	    "HTTP sinks: %zu pgwatch-shaped envelopes (seed %llu), %llu rows in %zu batches of <= %zu rows, "
	    "%d rounds\n",
	    o.envelopes, static_cast<unsigned long long>(o.seed), static_cast<unsigned long long>(total_rows),
	    batches.size(), o.batch_rows, o.rounds);
	Figures serializer = run_serializer();
	Print("DocumentSerializer alone", serializer);
	const double ceiling = serializer.rows / serializer.cpu;
	Figures plain = elastic("none");
	Print("elastic sink, no compression", plain);
	Figures gzip = elastic("gzip");
	Print("elastic sink, gzip", gzip);
	Figures ndjson = webhook("ndjson");
	Print("webhook sink, NDJSON", ndjson);
	Figures array = webhook("json");
	Print("webhook sink, JSON array", array);
	std::printf("  sink / serializer alone (per CPU s): elastic %.2f (gzip %.2f), webhook NDJSON %.2f, "
	            "JSON array %.2f\n",
	            plain.rows / plain.cpu / ceiling, gzip.rows / gzip.cpu / ceiling,
	            ndjson.rows / ndjson.cpu / ceiling, array.rows / array.cpu / ceiling);
	return 0;
}
