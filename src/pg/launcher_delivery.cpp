// Reconciliation of the delivery children with pgwatch_rpc.sinks. The launcher calls it when
// the sink API woke it at commit and every few seconds; it only compares names and
// generations, and all process work is the generic supervision of launcher_child.cpp.
#include "pg/launcher_prelude.h"

#include "pg/guc.hpp"
#include "pg/launcher_delivery.hpp"
#include "pg/listener_files.hpp"

#include <string.h>

namespace pgwatch_rpc::pg {
namespace {

constexpr const char *kDeliveryRole = "pgwatch_rpc_delivery";
constexpr const char *kChildPrefix = "pgwatch-rpc deliver ";

DeliverySlot *FindSlot(DeliverySupervisor *delivery, const char *sink) {
	for (int i = 0; i < delivery->max_slots; i++)
		if (delivery->slots[i].in_use && strcmp(delivery->slots[i].sink, sink) == 0)
			return &delivery->slots[i];
	return nullptr;
}

DeliverySlot *FreeSlot(DeliverySupervisor *delivery) {
	for (int i = 0; i < delivery->max_slots; i++)
		if (!delivery->slots[i].in_use)
			return &delivery->slots[i];
	return nullptr;
}

void TakeSlot(DeliverySlot *slot, const EnabledSink *sink, int64 now) {
	slot->in_use = true;
	slot->wanted = true;
	slot->generation = sink->generation;
	strlcpy(slot->sink, sink->name, sizeof slot->sink);
	char name[kChildNameMax];
	snprintf(name, sizeof name, "%s%s", kChildPrefix, sink->name);
	ChildInit(&slot->child, name, kDeliveryRole,
	          "The messages above say what is wrong with the sink's configuration; correct it with "
	          "rpc_sink_alter().");
	slot->child.next_start_ms = now;
}

// Reconfigure applies a changed generation: a running child is replaced by a new one; a
// child waiting for its backoff starts at once with the new configuration.
void Reconfigure(DeliverySlot *slot, int64 generation, int64 now, int64 grace_ms) {
	slot->generation = generation;
	if (slot->child.pid == 0) {
		slot->child.next_start_ms = now;
		return;
	}
	ereport(LOG, (errmsg("pgwatch_rpc launcher is restarting %s to apply the changed sink configuration",
	                     slot->child.name)));
	ChildStop(&slot->child, now, grace_ms, true);
}

void WarnUnserved(DeliverySupervisor *delivery, int total) {
	if (delivery->max_slots == 0)
		return; // pgwatch_rpc.max_sinks = 0: delivery runs outside this server on purpose
	int unserved = 0;
	StringInfoData names;
	initStringInfo(&names);
	for (int i = 0; i < total && i < delivery->max_slots; i++) {
		if (FindSlot(delivery, delivery->enabled[i].name) != nullptr)
			continue;
		appendStringInfo(&names, "%s\"%s\"", unserved > 0 ? ", " : "", delivery->enabled[i].name);
		unserved++;
	}
	if (total > delivery->max_slots)
		appendStringInfo(&names, "%s%d more", unserved > 0 ? " and " : "", total - delivery->max_slots);
	unserved += Max(total - delivery->max_slots, 0);
	if (unserved == delivery->unserved_logged)
		return;
	delivery->unserved_logged = unserved;
	if (unserved == 0)
		return;
	ereport(WARNING, (errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
	                  errmsg("pgwatch_rpc launcher runs no delivery process for %d of %d enabled sinks",
	                         unserved, total),
	                  errdetail("Not delivered: %s.", names.data),
	                  errhint("Raise pgwatch_rpc.max_sinks (now %d) and restart the server, or disable sinks "
	                          "with rpc_sink_disable().",
	                          delivery->max_slots)));
}

void Start(DeliverySlot *slot, DeliverySupervisor *delivery, int64 now) {
	char *argv[] = {
	    ResolvedBinaryPath(),         pstrdup("deliver"),      pstrdup(slot->sink),       pstrdup("--dsn"),
	    ChildConninfo(kDeliveryRole), pstrdup("--parent-pid"), psprintf("%d", MyProcPid), nullptr};
	ChildSpawn(&slot->child, argv, delivery->password, now);
}

} // namespace

void DeliveryInit(DeliverySupervisor *delivery, int max_slots) {
	memset(delivery, 0, sizeof *delivery);
	delivery->max_slots = max_slots;
	delivery->slots = static_cast<DeliverySlot *>(
	    MemoryContextAllocZero(TopMemoryContext, sizeof(DeliverySlot) * max_slots));
	delivery->enabled =
	    static_cast<EnabledSink *>(MemoryContextAllocZero(TopMemoryContext, sizeof(EnabledSink) * max_slots));
	for (int i = 0; i < max_slots; i++)
		delivery->slots[i].child.output_fd = -1;
}

void DeliverySetUp(void *arg) {
	DeliverySupervisor *delivery = static_cast<DeliverySupervisor *>(arg);
	char password[kChildPasswordSize];
	if (!NewChildPassword(password))
		ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("no random bytes for a password")));
	SetRolePassword(kDeliveryRole, password);
	memcpy(delivery->password, password, sizeof password);
	explicit_bzero(password, sizeof password);
	delivery->password_set = true;
	GrantDeliveryPrivileges();
}

void DeliveryReconcile(DeliverySupervisor *delivery, int64 now, int64 grace_ms) {
	int total = ReadEnabledSinks(delivery->enabled, delivery->max_slots);
	for (int i = 0; i < delivery->max_slots; i++)
		delivery->slots[i].wanted = false;
	int listed = Min(total, delivery->max_slots);
	for (int i = 0; i < listed; i++) {
		const EnabledSink *sink = &delivery->enabled[i];
		DeliverySlot *slot = FindSlot(delivery, sink->name);
		if (slot != nullptr) {
			slot->wanted = true;
			if (slot->generation != sink->generation)
				Reconfigure(slot, sink->generation, now, grace_ms);
			else if (slot->child.stopping)
				slot->child.restart_when_stopped = true; // re-enabled while it was stopping
			continue;
		}
		slot = FreeSlot(delivery);
		if (slot != nullptr)
			TakeSlot(slot, sink, now);
	}
	for (int i = 0; i < delivery->max_slots; i++) {
		DeliverySlot *slot = &delivery->slots[i];
		if (!slot->in_use || slot->wanted)
			continue;
		if (slot->child.pid == 0) {
			slot->in_use = false;
			continue;
		}
		if (!slot->child.stopping)
			ereport(LOG, (errmsg("pgwatch_rpc launcher is stopping %s: the sink was disabled or dropped",
			                     slot->child.name)));
		ChildStop(&slot->child, now, grace_ms, false);
	}
	WarnUnserved(delivery, total);
}

void DeliveryStartDue(DeliverySupervisor *delivery, int64 now) {
	if (!delivery->password_set)
		return;
	for (int i = 0; i < delivery->max_slots; i++) {
		DeliverySlot *slot = &delivery->slots[i];
		if (slot->in_use && slot->wanted && ChildStartDue(&slot->child, now))
			Start(slot, delivery, now);
	}
}

void DeliveryStopAll(DeliverySupervisor *delivery, int64 now, int64 grace_ms) {
	for (int i = 0; i < delivery->max_slots; i++) {
		DeliverySlot *slot = &delivery->slots[i];
		if (!slot->in_use)
			continue;
		slot->wanted = false;
		if (slot->child.pid == 0)
			slot->in_use = false;
		else
			ChildStop(&slot->child, now, grace_ms, false);
	}
	delivery->unserved_logged = 0;
}

void DeliveryRestartAll(DeliverySupervisor *delivery, int64 now, int64 grace_ms, bool restart_running) {
	for (int i = 0; i < delivery->max_slots; i++) {
		DeliverySlot *slot = &delivery->slots[i];
		if (!slot->in_use || !slot->wanted)
			continue;
		if (slot->child.pid == 0)
			slot->child.next_start_ms = now;
		else if (restart_running)
			ChildStop(&slot->child, now, grace_ms, true);
	}
}

void DeliveryPoll(DeliverySupervisor *delivery, int64 now) {
	for (int i = 0; i < delivery->max_slots; i++) {
		DeliverySlot *slot = &delivery->slots[i];
		if (!slot->in_use)
			continue;
		ChildPoll(&slot->child, now);
		if (!slot->wanted && slot->child.pid == 0) {
			slot->in_use = false;
			delivery->slot_freed = true;
		}
	}
}

int64 DeliveryWakeAtMs(const DeliverySupervisor *delivery) {
	int64 wake_at = -1;
	for (int i = 0; i < delivery->max_slots; i++) {
		const DeliverySlot *slot = &delivery->slots[i];
		if (!slot->in_use || (!slot->wanted && slot->child.pid == 0))
			continue;
		int64 at = ChildWakeAtMs(&slot->child);
		if (at >= 0 && (wake_at < 0 || at < wake_at))
			wake_at = at;
	}
	return wake_at;
}

int DeliveryRunning(const DeliverySupervisor *delivery) {
	int running = 0;
	for (int i = 0; i < delivery->max_slots; i++)
		if (delivery->slots[i].in_use && delivery->slots[i].child.pid != 0)
			running++;
	return running;
}

} // namespace pgwatch_rpc::pg
