// The launcher's small shared-memory struct (STYLE.md §6.2.10): which process is the launcher
// (its PGPROC number and pid), whether a backend asked it to reconcile its delivery
// children, and the sink tests backends asked for (rpc_sink_test). Backends running the sink API wake it at commit only (STYLE.md §2.6): a rolled
// back rpc_sink_add wakes nobody, and many changes in one transaction wake it once.
#pragma once
#include "pg/pg_prelude.h"

#include "pg/launcher_catalog.hpp"

namespace pgwatch_rpc::pg {

// InstallLauncherShmemHooks chains the shmem request and startup hooks. _PG_init, during
// shared_preload_libraries processing only.
void InstallLauncherShmemHooks(void);

// LauncherShmemAttach records this process as the launcher; the record is cleared when the
// process exits. Call once, from the launcher, after it has a PGPROC.
void LauncherShmemAttach(void);

// LauncherTakeReconcileRequest: whether a backend asked for a reconcile since the last call.
bool LauncherTakeReconcileRequest(void);

// Sink tests waiting at once, across all backends.
constexpr int kMaxSinkTestRequests = 8;

// RequestSinkTest queues a test of sink (rpc_sink_test) with id request_id and wakes the
// launcher now. ereports when no launcher runs or the queue is full.
void RequestSinkTest(const char *sink, int64 request_id);

// LauncherTakeSinkTest moves one queued test into *sink (kSinkNameSize bytes) and
// *request_id; false when none is queued.
bool LauncherTakeSinkTest(char *sink, int64 *request_id);

// WakeLauncherAtCommit makes the launcher reconcile when the current transaction commits.
void WakeLauncherAtCommit(void);

} // namespace pgwatch_rpc::pg
