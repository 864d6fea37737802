// `pgwatch-rpc deliver SINK`: the delivery child of one sink (DESIGN.md §4.4). Reads the
// sink's definition from the hub, validates it (a bad config is reported in sink_status and
// ends the child with exit code 2), builds the sink and runs the delivery engine until
// SIGTERM, publishing its state and counters about once a second.
#include "bin/child_options.hpp"
#include "bin/commands.hpp"
#include "bin/deliver_clock.hpp"

#include "core/delivery/delivery_engine.hpp"
#include "core/delivery/pg_spool_port.hpp"
#include "core/delivery/sink_definition.hpp"
#include "core/delivery/sink_factory.hpp"
#include "core/log/log.hpp"
#include "core/loop/clock.hpp"

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>

namespace pgwatch_rpc::bin {
namespace {

const char *const kUsage =
    "usage: pgwatch-rpc deliver SINK --dsn CONNINFO [--parent-pid N]\n"
    "\n"
    "  SINK              the sink's name in pgwatch_rpc.sinks (see rpc_sinks)\n"
    "  --dsn CONNINFO    libpq connection string of the hub database, as a role with\n"
    "                    pgwatch_rpc_delivery's privileges; the password may come from PGPASSWORD\n"
    "  --parent-pid N    exit when process N (the launcher) is no longer our parent; without\n"
    "                    it the child also exits when the sink is altered, disabled or dropped\n";

constexpr int64_t kStatusIntervalMs = 1000;
constexpr int64_t kDefinitionCheckMs = 2000;
constexpr int64_t kHubRetryFirstMs = 1000;
constexpr int64_t kHubRetryMaxMs = 30000;

std::string Quoted(const std::string &sink) { return "sink \"" + sink + "\""; }

// HubRetry paces reconnection to an unreachable hub: 1 s, doubling to 30 s.
class HubRetry {
public:
	explicit HubRetry(DeliverClock &clock) : clock_(clock) {}
	void Failed(const std::string &what) {
		log::Write(log::Level::kWarning, what + "; retrying in " + std::to_string(wait_ms_ / 1000) + " s");
		clock_.SleepMs(wait_ms_);
		wait_ms_ = std::min(wait_ms_ * 2, kHubRetryMaxMs);
	}
	void Succeeded() { wait_ms_ = kHubRetryFirstMs; }

private:
	DeliverClock &clock_;
	int64_t wait_ms_ = kHubRetryFirstMs;
};

// ReportBadConfig logs the problem and shows it in rpc_stat_sinks (state failing_config).
int ReportBadConfig(delivery::PgSpoolPort &port, const std::string &sink, const std::string &problem) {
	log::Write(log::Level::kError, Quoted(sink) + " has an invalid configuration: " + problem);
	delivery::StatusReport report;
	report.state = delivery::SinkState::kFailingConfig;
	report.stats.last_error = problem;
	report.stats.last_error_at_us = loop::WallMicros();
	try {
		port.PublishStatus(report);
	} catch (const std::exception &e) {
		log::Write(log::Level::kWarning, e.what());
	}
	return kExitUsage;
}

// Changed: whether a standalone child should stop because its sink changed.
bool Changed(const std::optional<delivery::SinkDefinition> &now, const delivery::SinkDefinition &started) {
	return !now || !now->enabled || now->generation != started.generation;
}

int Deliver(const ChildOptions &options, const std::string &sink_name) {
	DeliverClock clock;
	delivery::PgSpoolPort port(sink_name, options.dsn);
	HubRetry hub_retry(clock);

	std::optional<delivery::SinkDefinition> definition;
	while (true) {
		if (clock.StopRequested())
			return kExitOk;
		try {
			definition = delivery::ReadSinkDefinition(port.Connection(), sink_name);
			break;
		} catch (const std::exception &e) {
			hub_retry.Failed(e.what());
		}
	}
	if (!definition) {
		log::Write(log::Level::kError, Quoted(sink_name) + " does not exist (SELECT name FROM rpc_sinks lists them)");
		return kExitUsage;
	}
	if (!definition->enabled) {
		log::Write(log::Level::kLog, Quoted(sink_name) + " is disabled: nothing to deliver");
		return kExitOk;
	}
	delivery::DeliveryConfig config;
	std::string problem;
	std::unique_ptr<sink::Sink> sink =
	    delivery::BuildSink(sink_name, *definition, options.dsn, &config, &problem, clock);
	if (!sink)
		return ReportBadConfig(port, sink_name, problem);

	delivery::DeliveryEngine engine(sink_name, config, *sink, port, clock);
	log::Write(log::Level::kLog, "delivering " + Quoted(sink_name) + " (kind " + definition->kind + ")");
	int64_t next_status_ms = 0;
	int64_t next_check_ms = clock.MonotonicMs() + kDefinitionCheckMs;
	while (!clock.StopRequested()) {
		try {
			engine.RunOnce();
			int64_t now_ms = clock.MonotonicMs();
			if (now_ms >= next_status_ms) {
				port.PublishStatus(engine.Report());
				next_status_ms = now_ms + kStatusIntervalMs;
			}
			if (options.parent_pid == 0 && now_ms >= next_check_ms) {
				next_check_ms = now_ms + kDefinitionCheckMs;
				if (Changed(delivery::ReadSinkDefinition(port.Connection(), sink_name), *definition)) {
					log::Write(log::Level::kLog, Quoted(sink_name) + " was altered, disabled or dropped: stopping");
					break;
				}
			}
			hub_retry.Succeeded();
		} catch (const std::exception &e) {
			hub_retry.Failed(Quoted(sink_name) + ": " + e.what());
		}
	}
	try {
		port.PublishStatus(engine.Report());
	} catch (const std::exception &) {
		// The hub is gone too; the next child publishes afresh.
	}
	log::Write(log::Level::kLog, "delivery of " + Quoted(sink_name) + " stopped");
	return kExitOk;
}

} // namespace

int RunDeliver(int argc, char **argv) {
	ChildOptions options;
	int rc = ParseChildOptions(argc, argv, kUsage, &options);
	if (rc >= 0)
		return rc;
	if (options.dsn.empty() || options.positionals.size() != 1 || !options.config_file.empty()) {
		std::fputs(kUsage, stderr);
		return kExitUsage;
	}
	if (!WatchParent("pgwatch-rpc del", options.parent_pid))
		return kExitFailure;
	signal(SIGPIPE, SIG_IGN);
	try {
		return Deliver(options, options.positionals[0]);
	} catch (const std::exception &e) {
		log::Write(log::Level::kError, "delivery failed: " + std::string(e.what()));
		return kExitFailure;
	}
}

} // namespace pgwatch_rpc::bin
