// `pgwatch-rpc test-sink SINK REQUEST_ID`: the one-shot child the launcher starts for
// rpc_sink_test. It builds the sink from its committed definition (enabled or not), sends
// one test measurement, and records the outcome in pgwatch_rpc.sink_tests for the waiting
// backend. It holds no cursor and moves none.
#include "bin/child_options.hpp"
#include "bin/commands.hpp"

#include "core/delivery/sink_definition.hpp"
#include "core/delivery/sink_factory.hpp"
#include "core/libpq/pg_connection.hpp"
#include "core/log/log.hpp"
#include "core/loop/clock.hpp"
#include "sender/test_measurement.hpp"

#include <unistd.h>

#include <cstdio>
#include <optional>
#include <stdexcept>
#include <exception>
#include <string>

namespace pgwatch_rpc::bin {
namespace {

const char *const kUsage =
    "usage: pgwatch-rpc test-sink SINK REQUEST_ID --dsn CONNINFO [--parent-pid N]\n"
    "\n"
    "Sends one test measurement through SINK and records the outcome in\n"
    "pgwatch_rpc.sink_tests under REQUEST_ID. rpc_sink_test() runs it through the launcher.\n";

// Whatever the sink does, the child ends: rpc_sink_test waits at most 10 minutes.
constexpr unsigned kDeadlineSeconds = 600;

struct TestOutcome {
	bool ok = false;
	std::string text;
	double duration_ms = 0;
};

TestOutcome RunTest(libpq::PgConnection &conn, const std::string &sink_name, const std::string &dsn) {
	TestOutcome result;
	std::optional<delivery::SinkDefinition> definition = delivery::ReadSinkDefinition(conn, sink_name);
	if (!definition) {
		result.text = "sink \"" + sink_name + "\" does not exist (was it added in a transaction not yet committed?)";
		return result;
	}
	delivery::DeliveryConfig config;
	std::string problem;
	// The sink waits with the plain waiter: SIGTERM keeps its default action here and ends the
	// child at once (it holds no cursor), waiting or not.
	std::unique_ptr<sink::Sink> sink = delivery::BuildSink(sink_name, *definition, dsn, &config, &problem);
	if (!sink) {
		result.text = "invalid configuration: " + problem;
		return result;
	}
	int64_t now_us = loop::WallMicros();
	sink::Record record;
	record.received_at_us = now_us;
	record.key_name = "rpc_sink_test";
	record.dbname = sender::kTestSource;
	record.metric = sender::kTestMetric;
	record.nrows = 1;
	record.payload = sender::TestMeasurementPayload(sink_name, static_cast<double>(now_us) * 1000.0);
	sink::Batch batch;
	batch.sink_name = sink_name;
	batch.payload_bytes = record.payload.size();
	batch.records.push_back(std::move(record));

	int64_t started_us = loop::MonotonicMicros();
	sink::Outcome outcome;
	try {
		outcome = sink->Deliver(batch);
	} catch (const std::exception &e) {
		outcome = sink::Outcome::Retry(e.what());
	}
	result.duration_ms = static_cast<double>(loop::MonotonicMicros() - started_us) / 1000.0;
	if (outcome.status == sink::Outcome::Status::kRetry) {
		result.text = "delivery failed: " + outcome.error;
	} else if (!outcome.rejected.empty()) {
		result.text = "the target rejected the test measurement: " + outcome.rejected.front().reason;
	} else {
		result.ok = true;
		result.text = std::string("delivered 1 row of metric ") + sender::kTestMetric + " from source " +
		              sender::kTestSource;
	}
	return result;
}

} // namespace

int RunTestSink(int argc, char **argv) {
	ChildOptions options;
	int rc = ParseChildOptions(argc, argv, kUsage, &options);
	if (rc >= 0)
		return rc;
	if (options.dsn.empty() || options.positionals.size() != 2 ||
	    options.positionals[1].find_first_not_of("0123456789") != std::string::npos ||
	    options.positionals[1].empty()) {
		std::fputs(kUsage, stderr);
		return kExitUsage;
	}
	if (!WatchParent("pgwatch-rpc tes", options.parent_pid))
		return kExitFailure;
	alarm(kDeadlineSeconds);
	const std::string &sink_name = options.positionals[0];
	try {
		libpq::PgConnection conn;
		libpq::PgStatus st = conn.Open(options.dsn, "", "pgwatch-rpc test-sink " + sink_name);
		if (!st.ok)
			throw std::runtime_error("hub database: " + st.message);
		TestOutcome outcome = RunTest(conn, sink_name, options.dsn);
		st = conn.ExecParams("INSERT INTO pgwatch_rpc.sink_tests (id, sink, ok, outcome, duration_ms) "
		                     "VALUES ($1, $2, $3, $4, $5)",
		                     {options.positionals[1], sink_name, outcome.ok ? "true" : "false", outcome.text,
		                      std::to_string(outcome.duration_ms)});
		if (!st.ok)
			throw std::runtime_error("hub database: recording the outcome: " + st.message);
		log::Write(outcome.ok ? log::Level::kLog : log::Level::kWarning,
		           "test of sink \"" + sink_name + "\": " + outcome.text);
		return kExitOk;
	} catch (const std::exception &e) {
		log::Write(log::Level::kError, "test of sink \"" + sink_name + "\" failed: " + e.what());
		return kExitFailure;
	}
}

} // namespace pgwatch_rpc::bin
