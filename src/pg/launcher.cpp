// The launcher's main loop (STYLE.md §6.2.7–8): one wait point (latch, the child's output
// pipe, postmaster death, a timeout), signal handlers that only flag and wake, and after each
// wakeup: interrupts, configuration reload, reaping, then work. SIGTERM is not `die`: the
// launcher first stops its child gracefully, then exits. Single-threaded, C-style C++.
#include "pg/launcher_prelude.h"

#include "pg/guc.hpp"
#include "pg/launcher.hpp"
#include "pg/launcher_catalog.hpp"
#include "pg/launcher_listener.hpp"
#include "pg/listener_files.hpp"

#include <errno.h>
#include <signal.h>

namespace pgwatch_rpc::pg {
namespace {

constexpr const char *kLauncherName = "pgwatch_rpc launcher";
constexpr int kRestartSeconds = 5;        // postmaster restarts a failed launcher
constexpr int64 kExtensionCheckMs = 1000; // how quickly CREATE/DROP EXTENSION is noticed
constexpr int64 kSetupRetryMs = 10 * 1000;
constexpr int64 kMaintenanceMs = 60 * 60 * 1000; // spool partitions
constexpr int64 kStopGraceMs = 5000;             // SIGTERM to SIGKILL
constexpr int64 kReapAfterKillMs = 2000;         // shutdown gives up waiting after this

// HandleSigchld only wakes the loop: it reaps with waitpid(WNOHANG) after every wakeup.
void HandleSigchld(SIGNAL_ARGS) {
	int save_errno = errno;
	SetLatch(MyLatch);
	errno = save_errno;
}

// Settings whose change needs a new child rather than a SIGHUP: the listener binds its
// sockets and chooses plaintext or TLS once, and a new binary needs a new process.
struct RestartSettings {
	char *listen_addresses;
	int port;
	bool tls;
	char *binary;
};

struct Launcher {
	ListenerSupervisor listener;
	Oid extension_oid; // InvalidOid: not (yet) created
	bool ready;        // setup done for extension_oid
	bool waiting_logged;
	int64 next_extension_check_ms;
	int64 next_setup_ms;
	int64 next_maintenance_ms;
	RestartSettings restart_settings;
	WaitEventSet *wait_set;
	int wait_fd;    // output descriptor registered in wait_set
	pid_t wait_pid; // child whose descriptor it is (descriptor numbers are reused)
};

Launcher launcher;

void SnapshotRestartSettings(RestartSettings *settings) {
	MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);
	if (settings->listen_addresses != nullptr)
		pfree(settings->listen_addresses);
	if (settings->binary != nullptr)
		pfree(settings->binary);
	settings->listen_addresses = pstrdup(pgwatch_rpc_listen_addresses);
	settings->port = pgwatch_rpc_port;
	settings->tls = pgwatch_rpc_tls;
	settings->binary = pstrdup(pgwatch_rpc_binary);
	MemoryContextSwitchTo(old);
}

bool RestartSettingsChanged(const RestartSettings *settings) {
	return strcmp(settings->listen_addresses, pgwatch_rpc_listen_addresses) != 0 ||
	       settings->port != pgwatch_rpc_port || settings->tls != pgwatch_rpc_tls ||
	       strcmp(settings->binary, pgwatch_rpc_binary) != 0;
}

// Wait sleeps until the latch is set, the child writes output, or timeout_ms pass.
void Wait(int64 timeout_ms) {
	int fd = launcher.listener.output_fd;
	if (launcher.wait_set == nullptr || fd != launcher.wait_fd ||
	    launcher.listener.pid != launcher.wait_pid) {
		if (launcher.wait_set != nullptr)
			FreeWaitEventSet(launcher.wait_set);
		launcher.wait_set = CreateWaitEventSet(TopMemoryContext, 3);
		AddWaitEventToSet(launcher.wait_set, WL_LATCH_SET, PGINVALID_SOCKET, MyLatch, nullptr);
		AddWaitEventToSet(launcher.wait_set, WL_EXIT_ON_PM_DEATH, PGINVALID_SOCKET, nullptr, nullptr);
		if (fd >= 0)
			AddWaitEventToSet(launcher.wait_set, WL_SOCKET_READABLE, fd, nullptr, nullptr);
		launcher.wait_fd = fd;
		launcher.wait_pid = launcher.listener.pid;
	}
	WaitEvent event;
	(void)WaitEventSetWait(launcher.wait_set, static_cast<long>(timeout_ms), &event, 1, PG_WAIT_EXTENSION);
	ResetLatch(MyLatch);
}

void WriteFiles(void *) {
	EnsureSelfSignedCertificate();
	WriteListenerSettings();
}

void ReloadConfiguration(int64 now) {
	ConfigReloadPending = false;
	ProcessConfigFile(PGC_SIGHUP);
	bool restart = RestartSettingsChanged(&launcher.restart_settings);
	SnapshotRestartSettings(&launcher.restart_settings);
	if (!launcher.ready)
		return;
	if (launcher.listener.pid == 0) {
		// A child that failed is retried now, with the new values, rather than after its backoff:
		// "correct the setting and reload" should take effect at once.
		launcher.listener.next_start_ms = now;
		return;
	}
	if (restart) {
		ereport(LOG, (errmsg("pgwatch_rpc launcher is restarting pgwatch-rpc listen to apply new settings")));
		ListenerStop(&launcher.listener, now, kStopGraceMs, true);
		return;
	}
	// The child rereads its settings file (and certificates) on SIGHUP.
	if (RunGuarded("update the pgwatch_rpc listener settings", WriteFiles, nullptr))
		ListenerReload(&launcher.listener);
}

void SetUp(void *) {
	SetUpExtension();
	EnsureSpoolPartitions();
}

void Maintain(void *) {
	EnsureSpoolPartitions();
}

void CheckExtension(void *) {
	Oid oid = ExtensionOid();
	if (oid == launcher.extension_oid)
		return;
	if (launcher.extension_oid != InvalidOid) {
		ereport(LOG,
		        (errmsg("extension pgwatch_rpc was dropped from database \"%s\"; stopping pgwatch-rpc listen",
		                pgwatch_rpc_database)));
		ListenerStop(&launcher.listener, LauncherNowMs(), kStopGraceMs, false);
	}
	launcher.extension_oid = oid;
	launcher.ready = false;
	launcher.waiting_logged = false;
	launcher.next_setup_ms = 0;
}

// Work does whatever is due and returns when the loop must run next.
int64 Work(int64 now) {
	if (now >= launcher.next_extension_check_ms) {
		launcher.next_extension_check_ms = now + kExtensionCheckMs;
		(void)RunGuarded("look up extension pgwatch_rpc", CheckExtension, nullptr);
	}
	int64 wake_at = launcher.next_extension_check_ms;
	if (launcher.extension_oid == InvalidOid) {
		if (!launcher.waiting_logged)
			ereport(
			    LOG,
			    (errmsg("pgwatch_rpc launcher is waiting for CREATE EXTENSION pgwatch_rpc in database \"%s\"",
			            pgwatch_rpc_database)));
		launcher.waiting_logged = true;
	} else if (!launcher.ready && now >= launcher.next_setup_ms) {
		launcher.ready = RunGuarded("set up extension pgwatch_rpc", SetUp, nullptr);
		launcher.next_setup_ms = now + kSetupRetryMs;
		launcher.next_maintenance_ms = now + kMaintenanceMs;
	} else if (launcher.ready && now >= launcher.next_maintenance_ms) {
		(void)RunGuarded("create spool partitions", Maintain, nullptr);
		launcher.next_maintenance_ms = now + kMaintenanceMs;
	}
	if (!launcher.ready) {
		if (launcher.extension_oid != InvalidOid)
			wake_at = Min(wake_at, launcher.next_setup_ms);
	} else {
		if (ListenerStartDue(&launcher.listener, now))
			ListenerStart(&launcher.listener, now);
		wake_at = Min(wake_at, launcher.next_maintenance_ms);
	}
	int64 listener_wake = ListenerWakeAtMs(&launcher.listener);
	if (listener_wake >= 0 && (launcher.ready || launcher.listener.pid != 0))
		wake_at = Min(wake_at, listener_wake);
	return wake_at;
}

// Shutdown stops the child gracefully (relaying what it says meanwhile), then exits with 0.
[[noreturn]] void Shutdown(void) {
	int64 now = LauncherNowMs();
	ListenerStop(&launcher.listener, now, kStopGraceMs, false);
	int64 give_up_at = now + kStopGraceMs + kReapAfterKillMs;
	while (launcher.listener.pid != 0 && now < give_up_at) {
		int64 wake_at = ListenerWakeAtMs(&launcher.listener);
		Wait(wake_at >= 0 ? Max(Min(wake_at, give_up_at) - now, 0) : give_up_at - now);
		now = LauncherNowMs();
		ListenerPoll(&launcher.listener, now);
	}
	proc_exit(0);
}

} // namespace

// RunLauncher is the body of PgwatchRpcLauncherMain.
[[noreturn]] void RunLauncher(void) {
	pqsignal(SIGTERM, SignalHandlerForShutdownRequest);
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGCHLD, HandleSigchld);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnection(pgwatch_rpc_database, nullptr, 0);
	pgstat_report_appname(kLauncherName);

	ListenerInit(&launcher.listener);
	launcher.wait_fd = -1;
	SnapshotRestartSettings(&launcher.restart_settings);
	MemoryContext loop_context =
	    AllocSetContextCreate(TopMemoryContext, "pgwatch_rpc launcher loop", ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(loop_context);
	for (;;) {
		CHECK_FOR_INTERRUPTS();
		int64 now = LauncherNowMs();
		ListenerPoll(&launcher.listener, now);
		if (ShutdownRequestPending)
			Shutdown();
		if (ConfigReloadPending)
			ReloadConfiguration(now);
		int64 wake_at = Work(now);
		MemoryContextReset(loop_context);
		Wait(Max(wake_at - LauncherNowMs(), 0));
	}
}

void RegisterLauncher(void) {
	BackgroundWorker worker;
	memset(&worker, 0, sizeof worker);
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = kRestartSeconds;
	strlcpy(worker.bgw_library_name, "pgwatch_rpc", BGW_MAXLEN);
	strlcpy(worker.bgw_function_name, "PgwatchRpcLauncherMain", BGW_MAXLEN);
	strlcpy(worker.bgw_name, kLauncherName, BGW_MAXLEN);
	strlcpy(worker.bgw_type, kLauncherName, BGW_MAXLEN);
	RegisterBackgroundWorker(&worker);
}

} // namespace pgwatch_rpc::pg

void PgwatchRpcLauncherMain(Datum) {
	pgwatch_rpc::pg::RunLauncher();
}
