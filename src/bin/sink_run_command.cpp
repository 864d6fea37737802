// `pgwatch-rpc sink-run --kind K --config FILE`: runs one sink outside PostgreSQL, the
// database-free cousin of test-sink. The sink is validated and built as a delivery child
// builds it (delivery::BuildSink), then the real delivery engine feeds it realistic pgwatch
// envelopes from an in-memory spool, so a sink can be developed and tried without a hub.
#include "bin/commands.hpp"
#include "bin/deliver_clock.hpp"

#include "core/delivery/delivery_engine.hpp"
#include "core/delivery/memory_spool_port.hpp"
#include "core/delivery/sink_factory.hpp"
#include "core/loop/clock.hpp"
#include "sender/sample_records.hpp"

#include <nlohmann/json.hpp>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

namespace pgwatch_rpc::bin {
namespace {

const char *const kUsage =
    "usage: pgwatch-rpc sink-run --kind KIND --config FILE [--secrets FILE] [--envelopes N]\n"
    "                            [--sources S] [--name NAME] [--retries N]\n"
    "\n"
    "Runs one sink outside PostgreSQL: builds it from KIND and the JSON objects in the files,\n"
    "as rpc_sink_add and the delivery process would, and feeds it realistic pgwatch\n"
    "envelopes through the delivery engine with an in-memory spool. Prints every batch's\n"
    "outcome, the records the target rejected with its reasons, and totals. Exits with 0\n"
    "only if everything was delivered, 1 otherwise, 2 on bad usage or configuration.\n"
    "\n"
    "  --kind KIND      the sink kind (see docs/sinks.md)\n"
    "  --config FILE    a JSON object: the sink's config, delivery keys included\n"
    "  --secrets FILE   a JSON object: the sink's secrets (default {})\n"
    "  --envelopes N    measurement envelopes to send (default 20)\n"
    "  --sources S      monitored sources prod-db-1..S (default 3)\n"
    "  --name NAME      the sink's name (default: the kind)\n"
    "  --retries N      failed attempts of a batch before giving up (default 3)\n";

struct SinkRunOptions {
	std::string kind;
	std::string config_file;
	std::string secrets_file;
	std::string name;
	int envelopes = 20;
	int sources = 3;
	int retries = 3;
};

bool ParseCount(const char *text, int min, int max, int *out) {
	char *end = nullptr;
	long value = std::strtol(text, &end, 10);
	if (*text == '\0' || *end != '\0' || value < min || value > max)
		return false;
	*out = static_cast<int>(value);
	return true;
}

// ParseOptions returns "" or the problem.
std::string ParseOptions(int argc, char **argv, SinkRunOptions *out) {
	for (int i = 1; i < argc; i++) {
		std::string_view arg = argv[i];
		if (i + 1 >= argc)
			return std::string(arg) + " needs a value";
		const char *value = argv[++i];
		if (arg == "--kind") {
			out->kind = value;
		} else if (arg == "--config") {
			out->config_file = value;
		} else if (arg == "--secrets") {
			out->secrets_file = value;
		} else if (arg == "--name") {
			out->name = value;
		} else if (arg == "--envelopes") {
			if (!ParseCount(value, 1, 1000000, &out->envelopes))
				return "--envelopes must be 1..1000000";
		} else if (arg == "--sources") {
			if (!ParseCount(value, 1, 100000, &out->sources))
				return "--sources must be 1..100000";
		} else if (arg == "--retries") {
			if (!ParseCount(value, 0, 1000000, &out->retries))
				return "--retries must be 0..1000000";
		} else {
			return "unknown option \"" + std::string(arg) + "\"";
		}
	}
	if (out->kind.empty() || out->config_file.empty())
		return "--kind and --config are required";
	if (out->name.empty())
		out->name = out->kind;
	return "";
}

// ReadJsonObject reads a file holding one JSON object, as its text.
std::string ReadJsonObject(const std::string &path, const char *option, std::string *problem) {
	std::ifstream in(path, std::ios::binary);
	std::stringstream text;
	text << in.rdbuf();
	if (!in) {
		*problem = std::string(option) + " " + path + ": cannot be read";
		return "";
	}
	if (!nlohmann::json::parse(text.str(), nullptr, false).is_object())
		*problem = std::string(option) + " " + path + ": must hold one JSON object";
	return text.str();
}

// ObservedSink passes every batch to the sink and prints what came of it.
class ObservedSink : public sink::Sink {
public:
	explicit ObservedSink(sink::Sink &inner) : inner_(inner) {}

	sink::Outcome Deliver(const sink::Batch &batch) override {
		int64_t rows = 0;
		for (const sink::Record &record : batch.records)
			rows += record.nrows;
		int64_t started_us = loop::MonotonicMicros();
		sink::Outcome outcome;
		try {
			outcome = inner_.Deliver(batch);
		} catch (const std::exception &e) {
			outcome = sink::Outcome::Retry(e.what());
		}
		double ms = static_cast<double>(loop::MonotonicMicros() - started_us) / 1000.0;
		attempt_++;
		std::string attempt = attempt_ > 1 ? ", attempt " + std::to_string(attempt_) : "";
		std::printf("batch %d%s: %zu envelopes, %lld rows: ", batch_, attempt.c_str(), batch.records.size(),
		            static_cast<long long>(rows));
		if (outcome.stopped) {
			std::printf("stopped after %.1f ms: %s\n", ms, outcome.error.c_str());
		} else if (outcome.status == sink::Outcome::Status::kRetry) {
			std::string wait =
			    outcome.retry_after_ms >= 0
			        ? " (the target asks to wait " + std::to_string(outcome.retry_after_ms) + " ms)"
			        : "";
			std::printf("retry after %.1f ms: %s%s\n", ms, outcome.error.c_str(), wait.c_str());
		} else {
			std::string rejected =
			    outcome.rejected.empty() ? "" : ", " + std::to_string(outcome.rejected.size()) + " rejected";
			std::printf("delivered in %.1f ms%s\n", ms, rejected.c_str());
			for (const sink::RejectedRecord &r : outcome.rejected) {
				const sink::Record &record = batch.records.at(r.record_index);
				std::printf("  rejected: envelope %lld (%s from %s): %s\n",
				            static_cast<long long>(record.seq), record.metric.c_str(), record.dbname.c_str(),
				            r.reason.c_str());
			}
			batch_++;
			attempt_ = 0;
		}
		std::fflush(stdout);
		return outcome;
	}
	bool WantsControlRecords() const override { return inner_.WantsControlRecords(); }

private:
	sink::Sink &inner_;
	int batch_ = 1;   // the batch being tried
	int attempt_ = 0; // attempts at it so far
};

int Run(const SinkRunOptions &options) {
	std::string problem;
	delivery::SinkDefinition definition;
	definition.kind = options.kind;
	definition.enabled = true;
	definition.config_json = ReadJsonObject(options.config_file, "--config", &problem);
	if (problem.empty())
		definition.secrets_json =
		    options.secrets_file.empty() ? "{}" : ReadJsonObject(options.secrets_file, "--secrets", &problem);
	// Without a conninfo the postgres sink writes into the hub's database, and there is none.
	if (problem.empty() && options.kind == "postgres" &&
	    !nlohmann::json::parse(definition.config_json).contains("conninfo"))
		problem = "the postgres sink writes into the hub's own database unless it has a conninfo, and "
		          "sink-run runs without a hub: add \"conninfo\" to the config";
	DeliverClock clock; // Ctrl-C ends the sink's waits inside Deliver too
	delivery::DeliveryConfig config;
	std::unique_ptr<sink::Sink> sink;
	if (problem.empty())
		sink = delivery::BuildSink(options.name, definition, "", &config, &problem, clock);
	if (!sink) {
		std::fprintf(stderr, "pgwatch-rpc sink-run: %s\n", problem.c_str());
		return kExitUsage;
	}

	sender::SampleOptions sample;
	sample.envelopes = options.envelopes;
	sample.sources = options.sources;
	sample.seed = static_cast<uint64_t>(loop::WallMicros());
	delivery::MemorySpoolPort port(sender::SampleRecords(sample));
	std::printf("sink \"%s\" (kind %s): %d envelopes from %d sources, batches of at most %lld rows\n",
	            options.name.c_str(), options.kind.c_str(), options.envelopes, options.sources,
	            static_cast<long long>(config.max_batch_rows));
	std::fflush(stdout);

	ObservedSink observed(*sink);
	delivery::DeliveryEngine engine(options.name, config, observed, port, clock);
	int failures = 0;
	while (port.Remaining() > 0 && !clock.StopRequested() && failures <= options.retries) {
		delivery::Cycle cycle = engine.RunOnce();
		if (cycle == delivery::Cycle::kRetryScheduled)
			failures++;
		else if (cycle == delivery::Cycle::kDelivered || cycle == delivery::Cycle::kDeadLettered)
			failures = 0;
	}
	const delivery::DeliveryStats stats = engine.Report().stats;
	std::string left =
	    port.Remaining() > 0 ? "; gave up with " + std::to_string(port.Remaining()) + " envelopes left" : "";
	std::printf("delivered %lld of %d envelopes (%lld rows); %zu rejected; %lld failed attempts%s\n",
	            static_cast<long long>(stats.delivered_envelopes), options.envelopes,
	            static_cast<long long>(stats.delivered_rows), port.dead_letters().size(),
	            static_cast<long long>(stats.retries), left.c_str());
	return port.Remaining() == 0 && port.dead_letters().empty() ? kExitOk : kExitFailure;
}

} // namespace

int RunSinkRun(int argc, char **argv) {
	for (int i = 1; i < argc; i++)
		if (std::string_view(argv[i]) == "--help" || std::string_view(argv[i]) == "-h") {
			std::fputs(kUsage, stdout);
			return kExitOk;
		}
	SinkRunOptions options;
	std::string problem = ParseOptions(argc, argv, &options);
	if (!problem.empty()) {
		std::fprintf(stderr, "pgwatch-rpc sink-run: %s\n%s", problem.c_str(), kUsage);
		return kExitUsage;
	}
	signal(SIGPIPE, SIG_IGN);
	try {
		return Run(options);
	} catch (const std::exception &e) {
		std::fprintf(stderr, "pgwatch-rpc sink-run: %s\n", e.what());
		return kExitFailure;
	}
}

} // namespace pgwatch_rpc::bin
