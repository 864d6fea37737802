// `pgwatch-rpc listen`: the gRPC listener process (DESIGN.md §3, GRPC.md §14). Wires the
// event loop, the HTTP/2 server and the group committer together, and handles the process
// concerns: arguments, parent death, signals (SIGTERM graceful, SIGQUIT immediate, SIGHUP
// reload) and exit codes (commands.hpp).
#include "bin/child_options.hpp"
#include "bin/commands.hpp"
#include "bin/listen_reload.hpp"

#include "core/auth/failure_throttle.hpp"
#include "core/config/listener_settings.hpp"
#include "core/h2/call.hpp"
#include "core/listener/server.hpp"
#include "core/listener/status_json.hpp"
#include "core/log/log.hpp"
#include "core/loop/clock.hpp"
#include "core/loop/event_loop.hpp"
#include "core/loop/signals.hpp"
#include "core/spool/group_committer.hpp"

#include <sys/epoll.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

namespace pgwatch_rpc::bin {
namespace {
// The launcher waits a few seconds for us on shutdown, then kills: finish in-flight calls
// within this, then terminate the remaining connections (GRPC.md §12).
constexpr int64_t kShutdownGraceUs = 4'000'000;
constexpr int64_t kShutdownHardStopUs = 6'000'000;

const char *const kUsage =
    "usage: pgwatch-rpc listen --config FILE --dsn CONNINFO [--parent-pid N]\n"
    "\n"
    "  --config FILE     listener settings (key = value lines, the pgwatch_rpc.* GUC names)\n"
    "  --dsn CONNINFO    libpq connection string of the hub database; the password may come\n"
    "                    from PGPASSWORD\n"
    "  --parent-pid N    exit when process N (the launcher) is no longer our parent\n";

spool::CommitterOptions CommitterOptionsFrom(const config::ListenerSettings &settings) {
	spool::CommitterOptions options;
	options.listener_name = settings.listener_name;
	options.ack = settings.ack;
	options.batch_max_envelopes = settings.batch_max_envelopes;
	options.batch_linger_us = settings.batch_linger_us;
	options.spool_max_size = settings.spool_max_size;
	return options;
}

// The running listener: owns everything the loop drives.
class Listener {
public:
	Listener(const ChildOptions &args, config::ListenerSettings settings, tls::SslCtxPtr ssl_ctx)
	    : args_(args), settings_(std::move(settings)) {
		signals_ = std::make_unique<loop::SignalSource>();
		loop_.Watch(signals_->fd(), EPOLLIN, [this](uint32_t) { OnSignals(); });
		h2::SessionServices services;
		services.keys = &keys_;
		services.throttle = &throttle_;
		services.stats = &calls_;
		services.monotonic_us = loop::MonotonicMicros;
		services.wall_us = loop::WallMicros;
		services.shutting_down = &shutting_down_;
		committer_ = std::make_unique<spool::GroupCommitter>(
		    loop_, args.dsn, CommitterOptionsFrom(settings_), &keys_,
		    [this](const h2::CallRef &ref, grpc::StatusCode code, const std::string &message) {
			    server_->Complete(ref, code, message);
		    },
		    [this] { return StatusJson(); });
		services.sink = committer_.get();
		server_ = std::make_unique<listener::Server>(loop_, services);
		server_->Configure(settings_, std::move(ssl_ctx));
	}

	~Listener() {
		// Connections hold pointers to the committer (via services): drop them first.
		server_.reset();
		committer_.reset();
	}

	int Run() {
		try {
			server_->Listen(settings_);
		} catch (const std::exception &e) {
			log::Write(log::Level::kError, e.what());
			return kExitFailure;
		}
		committer_->Start();
		while (true) {
			if (shutting_down_) {
				int64_t elapsed = loop::MonotonicMicros() - shutdown_started_us_;
				if ((server_->Stopped() && committer_->Drained()) || elapsed > kShutdownHardStopUs) {
					log::Write(log::Level::kLog, "listener stopped");
					return kExitOk;
				}
			}
			if (args_.parent_pid != 0 && getppid() != args_.parent_pid) {
				log::Write(log::Level::kLog, "the launcher is gone: exiting");
				return kExitOk;
			}
			// Wake at least once a second for the parent check and shutdown progress.
			if (!loop_.RunOnce(server_->needs_another_turn() ? 0 : 1'000'000)) {
				log::Write(log::Level::kError, std::string("epoll_wait failed: ") + std::strerror(errno));
				return kExitFailure;
			}
		}
	}

private:
	std::string StatusJson() {
		listener::StatusInputs in;
		in.connections = server_ ? server_->connections() : 0;
		in.connections_total = server_ ? server_->connections_total() : 0;
		in.calls = &calls_;
		in.writer = &committer_->stats();
		in.loop_max_ms = static_cast<double>(loop_.max_busy_us()) / 1000.0;
		return listener::RenderStatusJson(in);
	}

	void OnSignals() {
		while (int sig = signals_->Read()) {
			switch (sig) {
			case SIGTERM:
			case SIGINT:
				if (!shutting_down_) {
					log::Write(log::Level::kLog, "graceful shutdown requested: finishing in-flight calls");
					shutting_down_ = true;
					shutdown_started_us_ = loop::MonotonicMicros();
					server_->BeginShutdown(kShutdownGraceUs);
				}
				break;
			case SIGQUIT:
				// Immediate shutdown (GRPC.md §12): no GOAWAY, no waiting.
				std::_Exit(kExitOk);
			case SIGHUP:
				Reload();
				break;
			default:
				break;
			}
		}
	}

	void Reload() {
		ReloadResult result = ReloadSettings(args_.config_file, settings_);
		if (!result.ok) {
			log::Write(log::Level::kError,
			           "configuration reload failed, keeping the previous settings: " + result.error);
			return;
		}
		for (const std::string &line : result.changes)
			log::Write(log::Level::kLog, line);
		settings_ = std::move(result.settings);
		server_->Configure(settings_, std::move(result.ssl_ctx));
		committer_->Apply(CommitterOptionsFrom(settings_));
	}

	ChildOptions args_;
	config::ListenerSettings settings_;
	loop::EventLoop loop_;
	std::unique_ptr<loop::SignalSource> signals_;
	h2::KeyStore keys_;
	auth::FailureThrottle throttle_;
	h2::CallStats calls_;
	bool shutting_down_ = false;
	int64_t shutdown_started_us_ = 0;
	std::unique_ptr<spool::GroupCommitter> committer_;
	std::unique_ptr<listener::Server> server_;
};
} // namespace

int RunListen(int argc, char **argv) {
	ChildOptions args;
	int rc = ParseChildOptions(argc, argv, kUsage, &args);
	if (rc >= 0)
		return rc;
	if (args.config_file.empty() || args.dsn.empty() || !args.positionals.empty()) {
		std::fputs(kUsage, stderr);
		return kExitUsage;
	}
	if (!WatchParent("pgwatch-rpc lis", args.parent_pid))
		return kExitFailure;
	signal(SIGPIPE, SIG_IGN);

	ReloadResult initial = LoadSettings(args.config_file);
	if (!initial.ok) {
		log::Write(log::Level::kError, initial.error);
		return kExitUsage;
	}
	if (!initial.settings.tls)
		log::Write(log::Level::kWarning,
		           "TLS is off (tls = off): key secrets travel in clear text; use it only on "
		           "a trusted network");
	try {
		Listener listener(args, std::move(initial.settings), std::move(initial.ssl_ctx));
		return listener.Run();
	} catch (const std::exception &e) {
		log::Write(log::Level::kError, std::string("listener failed: ") + e.what());
		return kExitFailure;
	}
}

} // namespace pgwatch_rpc::bin
