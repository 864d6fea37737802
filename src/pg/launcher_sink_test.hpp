// rpc_sink_test's launcher side: a backend queues a test in shared memory
// (launcher_shmem.hpp); the launcher starts a one-shot `pgwatch-rpc test-sink SINK ID`
// child for it, which sends one test measurement through the sink and records the outcome
// in pgwatch_rpc.sink_tests, where the waiting backend reads it. The sending never happens in
// a PostgreSQL process.
#pragma once
#include "pg/pg_prelude.h"

#include "pg/launcher_child.hpp"
#include "pg/launcher_delivery.hpp"
#include "pg/launcher_shmem.hpp"

namespace pgwatch_rpc::pg {

struct SinkTestChildren {
	ChildSupervisor children[kMaxSinkTestRequests];
};

void SinkTestsInit(SinkTestChildren *tests);

// SinkTestsStart starts a child for each queued request while a child slot is free. The
// children log in as pgwatch_rpc_delivery with the delivery children's password.
void SinkTestsStart(SinkTestChildren *tests, const DeliverySupervisor *delivery, int64 now);

// SinkTestsPoll relays the children's output and reaps the finished ones.
void SinkTestsPoll(SinkTestChildren *tests, int64 now);

// SinkTestsStopAll stops the running children (shutdown, extension dropped).
void SinkTestsStopAll(SinkTestChildren *tests, int64 now, int64 grace_ms);

// SinkTestsRunning: how many children run.
int SinkTestsRunning(const SinkTestChildren *tests);

// SinkTestsWakeAtMs: when the loop must run next to poll them (-1 when none runs).
int64 SinkTestsWakeAtMs(const SinkTestChildren *tests, int64 now);

} // namespace pgwatch_rpc::pg
