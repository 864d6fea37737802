// The launcher's shared-memory struct and the wake-at-commit of the sink API (pg_net's
// wake_at_commit, launcher.c's ApplyLauncherWakeupAtCommit). Plain data only: a spinlock, the
// launcher's pid and PGPROC number, one atomic flag, a few queued sink tests.
#include "pg/launcher_prelude.h"

#include "pg/launcher_shmem.hpp"

#include <string.h>

namespace pgwatch_rpc::pg {
namespace {

struct SinkTestRequest {
	bool queued;
	int64 request_id;
	char sink[kSinkNameSize];
};

struct LauncherShmem {
	slock_t mutex; // guards pid, pgprocno and tests
	pid_t pid;     // 0: no launcher running
	int pgprocno;
	pg_atomic_uint32 reconcile_requested;
	SinkTestRequest tests[kMaxSinkTestRequests];
};

LauncherShmem *shared = nullptr;
shmem_request_hook_type previous_request_hook = nullptr;
shmem_startup_hook_type previous_startup_hook = nullptr;

// Per backend: a change of this transaction is waiting for its commit.
bool wake_pending = false;
bool callback_registered = false;

void RequestShmem(void) {
	if (previous_request_hook != nullptr)
		previous_request_hook();
	RequestAddinShmemSpace(MAXALIGN(sizeof(LauncherShmem)));
}

void StartupShmem(void) {
	if (previous_startup_hook != nullptr)
		previous_startup_hook();
	bool found;
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	shared =
	    static_cast<LauncherShmem *>(ShmemInitStruct("pgwatch_rpc launcher", sizeof(LauncherShmem), &found));
	if (!found) {
		SpinLockInit(&shared->mutex);
		shared->pid = 0;
		shared->pgprocno = -1;
		pg_atomic_init_u32(&shared->reconcile_requested, 0);
		memset(shared->tests, 0, sizeof shared->tests);
	}
	LWLockRelease(AddinShmemInitLock);
}

void Detach(int, Datum) {
	SpinLockAcquire(&shared->mutex);
	if (shared->pid == MyProcPid) {
		shared->pid = 0;
		shared->pgprocno = -1;
	}
	SpinLockRelease(&shared->mutex);
}

// SetLauncherLatch sets the launcher's latch if a launcher is running. The pid check makes
// sure the PGPROC still belongs to the launcher that registered it.
void SetLauncherLatch(void) {
	SpinLockAcquire(&shared->mutex);
	int pgprocno = shared->pgprocno;
	pid_t pid = shared->pid;
	SpinLockRelease(&shared->mutex);
	if (pid == 0 || pgprocno < 0)
		return;
	PGPROC *proc = &ProcGlobal->allProcs[pgprocno];
	if (proc->pid == pid)
		SetLatch(&proc->procLatch);
}

void WakeNow(void) {
	pg_atomic_write_u32(&shared->reconcile_requested, 1);
	SetLauncherLatch();
}

void RequireShmem(void) {
	if (shared == nullptr)
		ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
		                errmsg("pgwatch_rpc must be loaded via shared_preload_libraries")));
}

void AtTransactionEnd(XactEvent event, void *) {
	switch (event) {
	case XACT_EVENT_COMMIT:
	case XACT_EVENT_PARALLEL_COMMIT:
		if (wake_pending && shared != nullptr)
			WakeNow();
		wake_pending = false;
		break;
	case XACT_EVENT_ABORT:
	case XACT_EVENT_PARALLEL_ABORT:
	case XACT_EVENT_PREPARE:
		// A prepared transaction commits later, in another backend: the periodic reconcile
		// picks its change up.
		wake_pending = false;
		break;
	default:
		break;
	}
}

} // namespace

void InstallLauncherShmemHooks(void) {
	previous_request_hook = shmem_request_hook;
	shmem_request_hook = RequestShmem;
	previous_startup_hook = shmem_startup_hook;
	shmem_startup_hook = StartupShmem;
}

void LauncherShmemAttach(void) {
	SpinLockAcquire(&shared->mutex);
	shared->pid = MyProcPid;
	shared->pgprocno = MyProc->pgprocno;
	SpinLockRelease(&shared->mutex);
	before_shmem_exit(Detach, 0);
}

bool LauncherTakeReconcileRequest(void) {
	return pg_atomic_exchange_u32(&shared->reconcile_requested, 0) != 0;
}

void RequestSinkTest(const char *sink, int64 request_id) {
	RequireShmem();
	bool launcher_running = false;
	bool queued = false;
	SpinLockAcquire(&shared->mutex);
	launcher_running = shared->pid != 0;
	for (int i = 0; launcher_running && !queued && i < kMaxSinkTestRequests; i++) {
		SinkTestRequest *request = &shared->tests[i];
		if (request->queued)
			continue;
		request->queued = true;
		request->request_id = request_id;
		strlcpy(request->sink, sink, sizeof request->sink);
		queued = true;
	}
	SpinLockRelease(&shared->mutex);
	if (!launcher_running)
		ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
		                errmsg("the pgwatch_rpc launcher is not running, so no sink can be tested"),
		                errhint("Check the server log for the launcher's messages.")));
	if (!queued)
		ereport(ERROR, (errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
		                errmsg("%d sink tests are already waiting", kMaxSinkTestRequests),
		                errhint("Try again in a few seconds.")));
	SetLauncherLatch();
}

bool LauncherTakeSinkTest(char *sink, int64 *request_id) {
	bool taken = false;
	SpinLockAcquire(&shared->mutex);
	for (int i = 0; !taken && i < kMaxSinkTestRequests; i++) {
		SinkTestRequest *request = &shared->tests[i];
		if (!request->queued)
			continue;
		request->queued = false;
		*request_id = request->request_id;
		strlcpy(sink, request->sink, kSinkNameSize);
		taken = true;
	}
	SpinLockRelease(&shared->mutex);
	return taken;
}

void WakeLauncherAtCommit(void) {
	RequireShmem();
	if (!callback_registered) {
		RegisterXactCallback(AtTransactionEnd, nullptr);
		callback_registered = true;
	}
	wake_pending = true;
}

} // namespace pgwatch_rpc::pg
