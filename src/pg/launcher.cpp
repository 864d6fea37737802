// The launcher's main loop (STYLE.md §6.2.7–8): one wait point (latch, the children's output
// pipes, postmaster death, a timeout), signal handlers that only flag and wake, and after each
// wakeup: interrupts, configuration reload, reaping, then work — the listener child and one
// delivery child per enabled sink, reconciled when the sink API wakes the launcher at commit
// and every few seconds. SIGTERM is not `die`: the launcher first stops its children
// gracefully, then exits. Single-threaded, C-style C++.
#include "pg/launcher_prelude.h"

#include "pg/guc.hpp"
#include "pg/launcher.hpp"
#include "pg/launcher_catalog.hpp"
#include "pg/launcher_delivery.hpp"
#include "pg/launcher_listener.hpp"
#include "pg/launcher_retention.hpp"
#include "pg/launcher_shmem.hpp"
#include "pg/launcher_sink_test.hpp"
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
constexpr int64 kReconcileMs = 5000; // sinks changed without a wake-up (e.g. a prepared transaction)

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
	ChildSupervisor listener;
	DeliverySupervisor delivery;
	SinkTestChildren sink_tests;
	int64 next_reconcile_ms;
	Oid extension_oid; // InvalidOid: not (yet) created
	bool ready;        // setup done for extension_oid
	bool waiting_logged;
	int64 next_extension_check_ms;
	int64 next_setup_ms;
	int64 next_maintenance_ms;
	RestartSettings restart_settings;
	WaitEventSet *wait_set;
	// The children's output descriptors registered in wait_set, and whose they are
	// (descriptor numbers are reused): the set is rebuilt when these change.
	int wait_count;
	int *wait_fds;
	pid_t *wait_pids;
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

// CollectOutputs writes the open output descriptors of all children and their pids into
// fds and pids (room for 1 + max_sinks) and returns how many there are.
int CollectOutputs(int *fds, pid_t *pids) {
	int n = 0;
	if (launcher.listener.output_fd >= 0) {
		fds[n] = launcher.listener.output_fd;
		pids[n++] = launcher.listener.pid;
	}
	for (int i = 0; i < launcher.delivery.max_slots; i++) {
		const DeliverySlot *slot = &launcher.delivery.slots[i];
		if (slot->in_use && slot->child.output_fd >= 0) {
			fds[n] = slot->child.output_fd;
			pids[n++] = slot->child.pid;
		}
	}
	return n;
}

// Wait sleeps until the latch is set, a child writes output, or timeout_ms pass.
void Wait(int64 timeout_ms) {
	int capacity = 1 + launcher.delivery.max_slots;
	int *fds = static_cast<int *>(palloc(sizeof(int) * capacity));
	pid_t *pids = static_cast<pid_t *>(palloc(sizeof(pid_t) * capacity));
	int n = CollectOutputs(fds, pids);
	bool same = launcher.wait_set != nullptr && n == launcher.wait_count &&
	            memcmp(fds, launcher.wait_fds, sizeof(int) * n) == 0 &&
	            memcmp(pids, launcher.wait_pids, sizeof(pid_t) * n) == 0;
	if (!same) {
		if (launcher.wait_set != nullptr)
			FreeWaitEventSet(launcher.wait_set);
		launcher.wait_set = CreateWaitEventSet(TopMemoryContext, 2 + capacity);
		AddWaitEventToSet(launcher.wait_set, WL_LATCH_SET, PGINVALID_SOCKET, MyLatch, nullptr);
		AddWaitEventToSet(launcher.wait_set, WL_EXIT_ON_PM_DEATH, PGINVALID_SOCKET, nullptr, nullptr);
		for (int i = 0; i < n; i++)
			AddWaitEventToSet(launcher.wait_set, WL_SOCKET_READABLE, fds[i], nullptr, nullptr);
		memcpy(launcher.wait_fds, fds, sizeof(int) * n);
		memcpy(launcher.wait_pids, pids, sizeof(pid_t) * n);
		launcher.wait_count = n;
	}
	pfree(fds);
	pfree(pids);
	WaitEvent event;
	(void)WaitEventSetWait(launcher.wait_set, static_cast<long>(timeout_ms), &event, 1, PG_WAIT_EXTENSION);
	ResetLatch(MyLatch);
}

// PollChildren relays, reaps and kills (after a stop's grace period) every child.
void PollChildren(int64 now) {
	ChildPoll(&launcher.listener, now);
	DeliveryPoll(&launcher.delivery, now);
	SinkTestsPoll(&launcher.sink_tests, now);
}

void WriteFiles(void *) {
	EnsureSelfSignedCertificate();
	WriteListenerSettings();
}

void ReloadConfiguration(int64 now) {
	ConfigReloadPending = false;
	ProcessConfigFile(PGC_SIGHUP);
	bool restart = RestartSettingsChanged(&launcher.restart_settings);
	bool new_binary = strcmp(launcher.restart_settings.binary, pgwatch_rpc_binary) != 0;
	SnapshotRestartSettings(&launcher.restart_settings);
	if (!launcher.ready)
		return;
	// Delivery children take only the binary from the settings; failed ones retry at once.
	DeliveryRestartAll(&launcher.delivery, now, kStopGraceMs, new_binary);
	if (launcher.listener.pid == 0) {
		// A child that failed is retried now, with the new values, rather than after its backoff:
		// "correct the setting and reload" should take effect at once.
		launcher.listener.next_start_ms = now;
		return;
	}
	if (restart) {
		ereport(LOG, (errmsg("pgwatch_rpc launcher is restarting pgwatch-rpc listen to apply new settings")));
		ChildStop(&launcher.listener, now, kStopGraceMs, true);
		return;
	}
	// The child rereads its settings file (and certificates) on SIGHUP.
	if (RunGuarded("update the pgwatch_rpc listener settings", WriteFiles, nullptr))
		ChildReload(&launcher.listener);
}

void SetUp(void *) {
	SetUpExtension();
	EnsureSpoolPartitions();
	DeliverySetUp(&launcher.delivery);
}

void Reconcile(void *) {
	DeliveryReconcile(&launcher.delivery, LauncherNowMs(), kStopGraceMs);
}

void Maintain(void *) {
	EnsureSpoolPartitions();
}

void CheckExtension(void *) {
	Oid oid = ExtensionOid();
	if (oid == launcher.extension_oid)
		return;
	if (launcher.extension_oid != InvalidOid) {
		ereport(LOG, (errmsg("extension pgwatch_rpc was dropped from database \"%s\"; stopping its processes",
		                     pgwatch_rpc_database)));
		ChildStop(&launcher.listener, LauncherNowMs(), kStopGraceMs, false);
		DeliveryStopAll(&launcher.delivery, LauncherNowMs(), kStopGraceMs);
		SinkTestsStopAll(&launcher.sink_tests, LauncherNowMs(), kStopGraceMs);
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
		if (ChildStartDue(&launcher.listener, now))
			ListenerStart(&launcher.listener, now);
		// Always take the request, so that one made while not ready does not linger.
		bool requested = LauncherTakeReconcileRequest();
		if (requested || launcher.delivery.slot_freed || now >= launcher.next_reconcile_ms) {
			launcher.delivery.slot_freed = false;
			launcher.next_reconcile_ms = now + kReconcileMs;
			(void)RunGuarded("read the sinks", Reconcile, nullptr);
		}
		DeliveryStartDue(&launcher.delivery, now);
		SinkTestsStart(&launcher.sink_tests, &launcher.delivery, now);
		wake_at = Min(wake_at, Min(launcher.next_maintenance_ms, launcher.next_reconcile_ms));
		wake_at = Min(wake_at, SpoolRetentionWork(now));
	}
	int64 listener_wake = ChildWakeAtMs(&launcher.listener);
	if (listener_wake >= 0 && (launcher.ready || launcher.listener.pid != 0))
		wake_at = Min(wake_at, listener_wake);
	int64 delivery_wake = DeliveryWakeAtMs(&launcher.delivery);
	if (delivery_wake >= 0)
		wake_at = Min(wake_at, delivery_wake);
	int64 tests_wake = SinkTestsWakeAtMs(&launcher.sink_tests, now);
	if (tests_wake >= 0)
		wake_at = Min(wake_at, tests_wake);
	return wake_at;
}

// Shutdown stops the children gracefully (relaying what they say meanwhile), then exits with 0.
[[noreturn]] void Shutdown(void) {
	int64 now = LauncherNowMs();
	ChildStop(&launcher.listener, now, kStopGraceMs, false);
	DeliveryStopAll(&launcher.delivery, now, kStopGraceMs);
	SinkTestsStopAll(&launcher.sink_tests, now, kStopGraceMs);
	int64 give_up_at = now + kStopGraceMs + kReapAfterKillMs;
	while ((launcher.listener.pid != 0 || DeliveryRunning(&launcher.delivery) > 0 ||
	        SinkTestsRunning(&launcher.sink_tests) > 0) &&
	       now < give_up_at) {
		int64 wake_at = give_up_at;
		int64 listener_wake = ChildWakeAtMs(&launcher.listener);
		if (launcher.listener.pid != 0 && listener_wake >= 0)
			wake_at = Min(wake_at, listener_wake);
		int64 delivery_wake = DeliveryWakeAtMs(&launcher.delivery);
		if (delivery_wake >= 0)
			wake_at = Min(wake_at, delivery_wake);
		int64 tests_wake = SinkTestsWakeAtMs(&launcher.sink_tests, now);
		if (tests_wake >= 0)
			wake_at = Min(wake_at, tests_wake);
		Wait(Max(wake_at - now, 0));
		now = LauncherNowMs();
		PollChildren(now);
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
	LauncherShmemAttach();

	ListenerInit(&launcher.listener);
	DeliveryInit(&launcher.delivery, pgwatch_rpc_max_sinks);
	SinkTestsInit(&launcher.sink_tests);
	launcher.wait_fds = static_cast<int *>(
	    MemoryContextAllocZero(TopMemoryContext, sizeof(int) * (1 + pgwatch_rpc_max_sinks)));
	launcher.wait_pids = static_cast<pid_t *>(
	    MemoryContextAllocZero(TopMemoryContext, sizeof(pid_t) * (1 + pgwatch_rpc_max_sinks)));
	SnapshotRestartSettings(&launcher.restart_settings);
	MemoryContext loop_context =
	    AllocSetContextCreate(TopMemoryContext, "pgwatch_rpc launcher loop", ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(loop_context);
	for (;;) {
		CHECK_FOR_INTERRUPTS();
		int64 now = LauncherNowMs();
		PollChildren(now);
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
