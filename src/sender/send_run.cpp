// The sender's call sequence (see send_run.hpp).
#include "sender/send_run.hpp"

#include "sender/envelope_builder.hpp"
#include "sender/metric_definitions.hpp"
#include "sender/metric_shapes.hpp"
#include "sender/receiver_client.hpp"
#include "sender/send_tally.hpp"

#include <chrono>
#include <random>
#include <thread>

namespace pgwatch_rpc::sender {

namespace {

constexpr int kUnavailable = 14;

double NowEpochNs() {
	auto since = std::chrono::system_clock::now().time_since_epoch();
	return static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(since).count());
}

std::string SourceName(int index) {
	return "prod-db-" + std::to_string(index + 1);
}

int Rows(const SendOptions &options, const MetricShape &shape, std::mt19937_64 &rng) {
	if (options.rows_min > 0)
		return std::uniform_int_distribution<int>(options.rows_min, options.rows_max)(rng);
	return RowCount(NaturalSizeClass(shape, rng), rng);
}

} // namespace

int RunSend(const SendOptions &options, FILE *out, FILE *err) {
	std::string error;
	std::unique_ptr<ReceiverClient> client = ReceiverClient::Open(options.uri, options.deadline_ms, &error);
	if (!client) {
		std::fprintf(err, "pgwatch-rpc send: %s\n", error.c_str());
		return 2;
	}
	uint64_t seed = options.seed != 0
	                    ? options.seed
	                    : static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
	std::mt19937_64 rng(seed);
	std::fprintf(out, "sending to %s (%s, key \"%s\"): %d sources, %zu metrics, %d envelopes\n",
	             options.uri.target.c_str(),
	             options.uri.tls ? ("TLS, CA " + options.uri.ca_file).c_str() : "plaintext",
	             options.uri.username.c_str(), options.sources, options.metrics.size(), options.count);

	// pgwatch's connect-time ping: only UNAVAILABLE means the sink is unusable (DESIGN.md §2).
	CallResult ping = client->SyncMetric("", "", InvalidOp);
	if (ping.code == kUnavailable) {
		std::fprintf(err, "pgwatch-rpc send: cannot reach %s: UNAVAILABLE: %s\n", options.uri.target.c_str(),
		             ping.message.c_str());
		return 1;
	}
	std::fprintf(out, "ping (SyncMetric InvalidOp): %s%s%s\n", StatusCodeName(ping.code).c_str(),
	             ping.message.empty() ? "" : ": ", ping.message.c_str());

	SendTally tally;
	for (int s = 0; s < options.sources; s++) {
		tally.Add("SyncMetric", "", 0, client->SyncMetric(SourceName(s), "", AddOp));
		for (const std::string &metric : options.metrics)
			tally.Add("SyncMetric", "", 0, client->SyncMetric(SourceName(s), metric, AddOp));
	}
	std::fprintf(out, "SyncMetric(AddOp): %d sources, %d (source, metric) pairs\n", options.sources,
	             options.sources * static_cast<int>(options.metrics.size()));

	// Envelope i goes to pair i mod (sources × metrics), so every pair gets data early.
	const int pairs = options.sources * static_cast<int>(options.metrics.size());
	const int step = options.count >= 10 ? options.count / 10 : 1;
	long rows_sent = 0;
	for (int i = 0; i < options.count; i++) {
		if (i > 0 && options.interval_ms > 0)
			std::this_thread::sleep_for(std::chrono::milliseconds(options.interval_ms));
		int pair = i % pairs;
		const MetricShape &shape = *FindShape(options.metrics[pair / options.sources]);
		int nrows = Rows(options, shape, rng);
		MeasurementEnvelope envelope =
		    BuildEnvelope(SourceName(pair % options.sources), shape, nrows, NowEpochNs(), rng);
		tally.Add("UpdateMeasurements", shape.name, nrows, client->UpdateMeasurements(envelope));
		rows_sent += nrows;
		if ((i + 1) % step == 0 || i + 1 == options.count)
			std::fprintf(out, "UpdateMeasurements: %d/%d envelopes, %ld rows, %d failed calls so far\n",
			             i + 1, options.count, rows_sent, tally.Failed());
		std::fflush(out);
	}

	tally.Add("DefineMetrics", "", 0, client->DefineMetrics(MetricDefinitions(options.metrics)));
	tally.Print(out);
	std::fprintf(out, "%s\n", tally.AnyFailed() ? "some calls failed" : "all calls answered OK");
	return tally.AnyFailed() ? 1 : 0;
}

} // namespace pgwatch_rpc::sender
