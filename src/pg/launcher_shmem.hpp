// The launcher's small shared-memory struct (STYLE.md §6.2.10): which process is the launcher
// (its PGPROC number and pid) and whether a backend asked it to reconcile its delivery
// children. Backends running the sink API wake it at commit only (STYLE.md §2.6): a rolled
// back rpc_sink_add wakes nobody, and many changes in one transaction wake it once.
#pragma once
#include "pg/pg_prelude.h"

namespace pgwatch_rpc::pg {

// InstallLauncherShmemHooks chains the shmem request and startup hooks. _PG_init, during
// shared_preload_libraries processing only.
void InstallLauncherShmemHooks(void);

// LauncherShmemAttach records this process as the launcher; the record is cleared when the
// process exits. Call once, from the launcher, after it has a PGPROC.
void LauncherShmemAttach(void);

// LauncherTakeReconcileRequest: whether a backend asked for a reconcile since the last call.
bool LauncherTakeReconcileRequest(void);

// WakeLauncherAtCommit makes the launcher reconcile when the current transaction commits.
void WakeLauncherAtCommit(void);

} // namespace pgwatch_rpc::pg
