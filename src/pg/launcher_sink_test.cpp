// One-shot test children of rpc_sink_test (see launcher_sink_test.hpp).
#include "pg/launcher_prelude.h"

#include "pg/launcher_sink_test.hpp"
#include "pg/listener_files.hpp"

#include <string.h>

namespace pgwatch_rpc::pg {
namespace {

constexpr const char *kDeliveryRole = "pgwatch_rpc_delivery";
// Test children write little: poll them this often rather than watching their output.
constexpr int64 kPollMs = 100;

} // namespace

void SinkTestsInit(SinkTestChildren *tests) {
	memset(tests, 0, sizeof *tests);
	for (ChildSupervisor &child : tests->children)
		child.output_fd = -1;
}

void SinkTestsStart(SinkTestChildren *tests, const DeliverySupervisor *delivery, int64 now) {
	if (!delivery->password_set)
		return; // not set up yet: the requests wait (rpc_sink_test times out with a hint)
	for (ChildSupervisor &child : tests->children) {
		if (child.pid != 0 || child.output_fd >= 0)
			continue;
		char sink[kSinkNameSize];
		int64 request_id;
		if (!LauncherTakeSinkTest(sink, &request_id))
			return;
		char name[kChildNameMax];
		snprintf(name, sizeof name, "pgwatch-rpc test-sink %s", sink);
		ChildInit(&child, name, kDeliveryRole, "");
		child.one_shot = true;
		char *argv[] = {ResolvedBinaryPath(),
		                pstrdup("test-sink"),
		                pstrdup(sink),
		                psprintf(INT64_FORMAT, request_id),
		                pstrdup("--dsn"),
		                ChildConninfo(kDeliveryRole),
		                pstrdup("--parent-pid"),
		                psprintf("%d", MyProcPid),
		                nullptr};
		ChildSpawn(&child, argv, delivery->password, now);
	}
}

void SinkTestsPoll(SinkTestChildren *tests, int64 now) {
	for (ChildSupervisor &child : tests->children)
		if (child.pid != 0 || child.output_fd >= 0)
			ChildPoll(&child, now);
}

void SinkTestsStopAll(SinkTestChildren *tests, int64 now, int64 grace_ms) {
	for (ChildSupervisor &child : tests->children)
		ChildStop(&child, now, grace_ms, false);
}

int SinkTestsRunning(const SinkTestChildren *tests) {
	int running = 0;
	for (const ChildSupervisor &child : tests->children)
		running += child.pid != 0 ? 1 : 0;
	return running;
}

int64 SinkTestsWakeAtMs(const SinkTestChildren *tests, int64 now) {
	for (const ChildSupervisor &child : tests->children)
		if (child.pid != 0 || child.output_fd >= 0)
			return now + kPollMs;
	return -1;
}

} // namespace pgwatch_rpc::pg
