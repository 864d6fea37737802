// ingest_bench: a grpc++ load driver for the Receiver service (issue #2, "Benchmark").
// C connections (separate channels, never a shared subchannel) each keep K UpdateMeasurements
// calls in flight on their own completion queue and thread. Envelopes are pgwatch-shaped,
// built and serialized before the clock starts, and sent as pre-made ByteBuffers through the
// generic stub, so the client only pays for gRPC itself. Prints calls/s, rows/s, MB/s,
// latency percentiles, errors by status code and the client's own CPU cost per call (to
// show it is not the bottleneck); --json prints the same as one JSON object.
#include "bench_envelopes.hpp"
#include "bench_flags.hpp"

#include <absl/synchronization/mutex.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <malloc.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace pgwatch_rpc::bench {
namespace {

using Clock = std::chrono::steady_clock;

const char *const kMethod = "/Receiver/UpdateMeasurements";
constexpr size_t kPoolSize = 2000;
constexpr int kCallTimeoutSeconds = 30;

struct Options {
	std::string target;
	std::string ca_file;
	bool plaintext = false;
	std::string user;
	std::string password;
	int connections = 1;
	int inflight = 1;
	double seconds = 10;
	double warmup_seconds = 2;
	uint64_t seed = 1;
	bool json = false;
};

constexpr const char *kUsage =
    "usage: ingest_bench --target HOST:PORT (--ca FILE | --plaintext) --user U --password P\n"
    "                    [--connections C] [--inflight K] [--seconds S] [--warmup-seconds W]\n"
    "                    [--seed N] [--json]\n";

// ParseOptions reads argv; exits with the usage on anything it does not understand.
Options ParseOptions(int argc, char **argv) {
	Options o;
	ParseFlags(
	    argc, argv,
	    {
	        {"--target", [&](const std::string &v) { o.target = v; }},
	        {"--ca", [&](const std::string &v) { o.ca_file = v; }},
	        {"--plaintext", [&](const std::string &) { o.plaintext = true; }, false},
	        {"--user", [&](const std::string &v) { o.user = v; }},
	        {"--password", [&](const std::string &v) { o.password = v; }},
	        {"--connections", [&](const std::string &v) { o.connections = std::atoi(v.c_str()); }},
	        {"--inflight", [&](const std::string &v) { o.inflight = std::atoi(v.c_str()); }},
	        {"--seconds", [&](const std::string &v) { o.seconds = std::atof(v.c_str()); }},
	        {"--warmup-seconds", [&](const std::string &v) { o.warmup_seconds = std::atof(v.c_str()); }},
	        {"--seed", [&](const std::string &v) { o.seed = std::strtoull(v.c_str(), nullptr, 10); }},
	        {"--json", [&](const std::string &) { o.json = true; }, false},
	    },
	    kUsage);
	if (o.target.empty() || (o.ca_file.empty() == !o.plaintext) || o.connections < 1 || o.inflight < 1 ||
	    o.seconds <= 0 || o.warmup_seconds < 0)
		ExitWithUsage(kUsage);
	return o;
}

std::string ReadFile(const std::string &path) {
	std::ifstream in(path, std::ios::binary);
	if (!in) {
		std::cerr << "ingest_bench: cannot read " << path << "\n";
		std::exit(1);
	}
	std::stringstream ss;
	ss << in.rdbuf();
	return ss.str();
}

// What one connection measured. Only calls that started and finished inside the measured
// window count towards rates and latencies; errors are counted over the whole run.
struct Tally {
	int64_t ok_calls = 0;
	int64_t rows = 0;
	// Every OK call of the run, warm-up and tail included: what the server acknowledged.
	int64_t acked_calls = 0;
	int64_t acked_rows = 0;
	int64_t bytes = 0;
	std::vector<int64_t> latencies_ns;
	std::map<int, int64_t> errors;
	std::map<int, std::string> first_error;
};

// Connection owns one channel, one completion queue and one thread with inflight calls.
class Connection {
public:
	Connection(const Options &options, int index, std::shared_ptr<grpc::ChannelCredentials> creds,
	           const std::vector<Envelope> &envelopes, const std::vector<grpc::ByteBuffer> &requests)
	    : options_(options), index_(index), envelopes_(envelopes), requests_(requests) {
		grpc::ChannelArguments args;
		// A distinct argument per channel and a local subchannel pool: without them grpc++
		// would multiplex every "connection" over one shared TCP connection.
		args.SetInt("pgwatch_rpc.bench_channel", index);
		args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
		args.SetMaxSendMessageSize(-1);
		args.SetMaxReceiveMessageSize(-1);
		channel_ = grpc::CreateCustomChannel(options.target, creds, args);
		stub_ = std::make_unique<grpc::GenericStub>(channel_);
		slots_.resize(options.inflight);
		tally_.latencies_ns.reserve(1 << 16);
	}

	bool WaitConnected(std::chrono::system_clock::time_point deadline) {
		return channel_->WaitForConnected(deadline);
	}

	void Start(Clock::time_point measure_from, Clock::time_point measure_until) {
		measure_from_ = measure_from;
		measure_until_ = measure_until;
		thread_ = std::thread([this] { Run(); });
	}
	void Join() { thread_.join(); }
	Tally &tally() { return tally_; }

private:
	struct Slot {
		std::unique_ptr<grpc::ClientContext> context;
		std::unique_ptr<grpc::GenericClientAsyncResponseReader> reader;
		grpc::ByteBuffer response;
		grpc::Status status;
		Clock::time_point started;
		size_t envelope = 0;
	};

	// Issue starts the next call on slot; each connection walks the pool from its own offset.
	void Issue(size_t slot_index) {
		Slot &slot = slots_[slot_index];
		slot.envelope = next_envelope_;
		next_envelope_ = (next_envelope_ + 1) % requests_.size();
		slot.context = std::make_unique<grpc::ClientContext>();
		slot.context->AddMetadata("username", options_.user);
		slot.context->AddMetadata("password", options_.password);
		slot.started = Clock::now();
		// grpc++ deadlines take only system_clock time points.
		slot.context->set_deadline(std::chrono::system_clock::now() +
		                           std::chrono::seconds(kCallTimeoutSeconds));
		slot.reader = stub_->PrepareUnaryCall(slot.context.get(), kMethod, requests_[slot.envelope], &cq_);
		slot.reader->StartCall();
		slot.reader->Finish(&slot.response, &slot.status, reinterpret_cast<void *>(slot_index));
	}

	// Record counts a finished call: errors always, rates and latency only inside the window.
	void Record(const Slot &slot, Clock::time_point finished) {
		if (!slot.status.ok()) {
			int code = slot.status.error_code();
			if (tally_.errors[code]++ == 0)
				tally_.first_error[code] = slot.status.error_message();
			return;
		}
		tally_.acked_calls++;
		tally_.acked_rows += envelopes_[slot.envelope].nrows;
		if (slot.started < measure_from_ || finished > measure_until_)
			return;
		tally_.ok_calls++;
		tally_.rows += envelopes_[slot.envelope].nrows;
		tally_.bytes += static_cast<int64_t>(envelopes_[slot.envelope].bytes.size());
		tally_.latencies_ns.push_back(
		    std::chrono::duration_cast<std::chrono::nanoseconds>(finished - slot.started).count());
	}

	// Run keeps every slot busy until the window closes, then drains the outstanding calls so
	// none is cut short (a cancelled call would show up as an error the server did not cause).
	void Run() {
		next_envelope_ = (static_cast<size_t>(index_) * 997) % requests_.size();
		for (size_t i = 0; i < slots_.size(); i++)
			Issue(i);
		size_t outstanding = slots_.size();
		void *tag = nullptr;
		bool ok = false;
		while (outstanding > 0 && cq_.Next(&tag, &ok)) {
			Clock::time_point now = Clock::now();
			size_t slot_index = reinterpret_cast<size_t>(tag);
			Record(slots_[slot_index], now);
			if (now < measure_until_)
				Issue(slot_index);
			else
				outstanding--;
		}
		cq_.Shutdown();
		while (cq_.Next(&tag, &ok)) {
		}
	}

	const Options &options_;
	int index_;
	const std::vector<Envelope> &envelopes_;
	const std::vector<grpc::ByteBuffer> &requests_;
	std::shared_ptr<grpc::Channel> channel_;
	std::unique_ptr<grpc::GenericStub> stub_;
	grpc::CompletionQueue cq_;
	std::vector<Slot> slots_;
	size_t next_envelope_ = 0;
	Clock::time_point measure_from_;
	Clock::time_point measure_until_;
	std::thread thread_;
	Tally tally_;
};

double CpuSeconds() {
	rusage usage{};
	getrusage(RUSAGE_SELF, &usage);
	return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
	       static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

double PercentileMs(const std::vector<int64_t> &sorted, double p) {
	if (sorted.empty())
		return 0;
	size_t rank = static_cast<size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
	return static_cast<double>(sorted[std::min(rank, sorted.size() - 1)]) / 1e6;
}

std::string CodeName(int code) {
	static const char *const kNames[] = {
	    "OK",        "CANCELLED",      "UNKNOWN",           "INVALID_ARGUMENT",   "DEADLINE_EXCEEDED",
	    "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
	    "ABORTED",   "OUT_OF_RANGE",   "UNIMPLEMENTED",     "INTERNAL",           "UNAVAILABLE",
	    "DATA_LOSS", "UNAUTHENTICATED"};
	if (code >= 0 && code <= 16)
		return kNames[code];
	return std::to_string(code);
}

std::string JsonEscape(const std::string &s) {
	std::string out;
	for (unsigned char c : s) {
		if (c == '"' || c == '\\') {
			out += '\\';
			out += static_cast<char>(c);
		} else if (c < 0x20) {
			char buf[8];
			std::snprintf(buf, sizeof buf, "\\u%04x", c);
			out += buf;
		} else {
			out += static_cast<char>(c);
		}
	}
	return out;
}

// TuneProcess removes two client-side costs that profiling showed on this machine: Debian's
// abseil tracks lock-order graphs for every grpc mutex unless told not to, and glibc's
// heap trimming returned gRPC's per-call buffers to the kernel (madvise, page faults, TLB
// shootdowns) only to fault them back in on the next call.
void TuneProcess() {
	absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	mallopt(M_TOP_PAD, 64 << 20);
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
}

int Main(int argc, char **argv) {
	Options options = ParseOptions(argc, argv);
	TuneProcess();

	std::vector<Envelope> envelopes = MakeEnvelopes(kPoolSize, options.seed);
	std::vector<grpc::ByteBuffer> requests;
	requests.reserve(envelopes.size());
	for (const Envelope &e : envelopes) {
		grpc::Slice slice(e.bytes);
		requests.emplace_back(&slice, 1);
	}

	std::shared_ptr<grpc::ChannelCredentials> creds;
	if (options.plaintext) {
		creds = grpc::InsecureChannelCredentials();
	} else {
		grpc::SslCredentialsOptions ssl;
		ssl.pem_root_certs = ReadFile(options.ca_file);
		creds = grpc::SslCredentials(ssl);
	}

	std::vector<std::unique_ptr<Connection>> connections;
	for (int i = 0; i < options.connections; i++)
		connections.push_back(std::make_unique<Connection>(options, i, creds, envelopes, requests));
	auto connect_deadline = std::chrono::system_clock::now() + std::chrono::seconds(10);
	for (auto &c : connections) {
		if (!c->WaitConnected(connect_deadline)) {
			std::cerr << "ingest_bench: could not connect to " << options.target << " within 10 s\n";
			return 1;
		}
	}

	Clock::time_point start = Clock::now();
	auto to_duration = [](double s) {
		return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
	};
	Clock::time_point measure_from = start + to_duration(options.warmup_seconds);
	Clock::time_point measure_until = measure_from + to_duration(options.seconds);
	for (auto &c : connections)
		c->Start(measure_from, measure_until);
	std::this_thread::sleep_until(measure_from);
	double cpu_from = CpuSeconds();
	std::this_thread::sleep_until(measure_until);
	double cpu_until = CpuSeconds();
	for (auto &c : connections)
		c->Join();

	Tally total;
	for (auto &c : connections) {
		Tally &t = c->tally();
		total.ok_calls += t.ok_calls;
		total.rows += t.rows;
		total.bytes += t.bytes;
		total.acked_calls += t.acked_calls;
		total.acked_rows += t.acked_rows;
		total.latencies_ns.insert(total.latencies_ns.end(), t.latencies_ns.begin(), t.latencies_ns.end());
		for (auto &[code, n] : t.errors)
			total.errors[code] += n;
		for (auto &[code, msg] : t.first_error)
			total.first_error.emplace(code, msg);
	}
	std::sort(total.latencies_ns.begin(), total.latencies_ns.end());

	double secs = options.seconds;
	double calls_s = static_cast<double>(total.ok_calls) / secs;
	double rows_s = static_cast<double>(total.rows) / secs;
	double mb_s = static_cast<double>(total.bytes) / secs / 1e6;
	double p50 = PercentileMs(total.latencies_ns, 0.50);
	double p90 = PercentileMs(total.latencies_ns, 0.90);
	double p99 = PercentileMs(total.latencies_ns, 0.99);
	double max_ms = total.latencies_ns.empty() ? 0 : static_cast<double>(total.latencies_ns.back()) / 1e6;
	double cpu_pct = (cpu_until - cpu_from) / secs * 100.0;
	double cpu_us_call =
	    total.ok_calls ? (cpu_until - cpu_from) * 1e6 / static_cast<double>(total.ok_calls) : 0;
	int64_t error_total = 0;
	for (auto &[code, n] : total.errors)
		error_total += n;

	if (options.json) {
		std::printf(
		    "{\"target\":\"%s\",\"tls\":%s,\"connections\":%d,\"inflight\":%d,\"seconds\":%.3f,"
		    "\"calls\":%lld,\"rows\":%lld,\"bytes\":%lld,\"acked_calls\":%lld,\"acked_rows\":%lld,\"calls_"
		    "per_s\":%.1f,\"rows_per_s\":%.1f,"
		    "\"mb_per_s\":%.3f,\"p50_ms\":%.4f,\"p90_ms\":%.4f,\"p99_ms\":%.4f,\"max_ms\":%.4f,"
		    "\"client_cpu_pct\":%.1f,\"client_cpu_us_per_call\":%.2f,\"error_count\":%lld,\"errors\":{",
		    JsonEscape(options.target).c_str(), options.plaintext ? "false" : "true", options.connections,
		    options.inflight, secs, static_cast<long long>(total.ok_calls),
		    static_cast<long long>(total.rows), static_cast<long long>(total.bytes),
		    static_cast<long long>(total.acked_calls), static_cast<long long>(total.acked_rows), calls_s,
		    rows_s, mb_s, p50, p90, p99, max_ms, cpu_pct, cpu_us_call, static_cast<long long>(error_total));
		bool first = true;
		for (auto &[code, n] : total.errors) {
			std::printf("%s\"%s\":{\"count\":%lld,\"first_message\":\"%s\"}", first ? "" : ",",
			            CodeName(code).c_str(), static_cast<long long>(n),
			            JsonEscape(total.first_error[code]).c_str());
			first = false;
		}
		std::printf("}}\n");
		return 0;
	}

	std::printf("target %s (%s), %d connection(s) x %d in flight, %.1f s measured after %.1f s warm-up\n",
	            options.target.c_str(), options.plaintext ? "plaintext" : "TLS", options.connections,
	            options.inflight, secs, options.warmup_seconds);
	std::printf("  calls/s %10.1f   rows/s %10.1f   MB/s %8.2f\n", calls_s, rows_s, mb_s);
	std::printf("  latency ms  p50 %.3f  p90 %.3f  p99 %.3f  max %.3f\n", p50, p90, p99, max_ms);
	std::printf("  client CPU  %.0f%% of one core, %.1f us per call\n", cpu_pct, cpu_us_call);
	if (total.errors.empty()) {
		std::printf("  errors      none\n");
	} else {
		for (auto &[code, n] : total.errors)
			std::printf("  errors      %s: %lld (first: %s)\n", CodeName(code).c_str(),
			            static_cast<long long>(n), total.first_error[code].c_str());
	}
	return 0;
}

} // namespace
} // namespace pgwatch_rpc::bench

int main(int argc, char **argv) {
	return pgwatch_rpc::bench::Main(argc, argv);
}
