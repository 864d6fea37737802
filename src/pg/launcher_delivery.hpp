// The `pgwatch-rpc deliver <sink>` children (DESIGN.md §3): one per enabled sink, reconciled
// with pgwatch_rpc.sinks — started for a new or enabled sink, stopped for a disabled or
// dropped one, restarted when its generation changed, restarted with backoff after a crash.
// At most pgwatch_rpc.max_sinks children; slots are allocated once, at launcher start.
#pragma once
#include "pg/pg_prelude.h"

#include "pg/launcher_catalog.hpp"
#include "pg/launcher_child.hpp"

namespace pgwatch_rpc::pg {

struct DeliverySlot {
	bool in_use; // the slot belongs to sink (a child may still be stopping)
	bool wanted; // the sink is enabled: keep a child running
	int64 generation;
	char sink[kSinkNameSize];
	ChildSupervisor child;
};

struct DeliverySupervisor {
	DeliverySlot *slots; // max_slots entries in TopMemoryContext
	int max_slots;
	EnabledSink *enabled; // buffer of ReadEnabledSinks
	char password[kChildPasswordSize];
	bool password_set;   // pgwatch_rpc_delivery has password since the last setup
	int unserved_logged; // enabled sinks without a slot at the last warning
	bool slot_freed;     // a slot became free: reconcile soon
};

void DeliveryInit(DeliverySupervisor *delivery, int max_slots);

// DeliverySetUp gives pgwatch_rpc_delivery a fresh password and its privileges in the hub
// database; it ereports on failure (call it through RunGuarded).
void DeliverySetUp(void *delivery);

// DeliveryReconcile reads the enabled sinks and starts, stops or restarts children to match.
void DeliveryReconcile(DeliverySupervisor *delivery, int64 now, int64 grace_ms);

// DeliveryStartDue starts the children that are wanted and due.
void DeliveryStartDue(DeliverySupervisor *delivery, int64 now);

// DeliveryStopAll stops every child (extension dropped, shutdown); none is restarted.
void DeliveryStopAll(DeliverySupervisor *delivery, int64 now, int64 grace_ms);

// DeliveryRestartAll retries failed children at once (the configuration was reloaded) and,
// with restart_running (pgwatch_rpc.binary changed), replaces the running ones too.
void DeliveryRestartAll(DeliverySupervisor *delivery, int64 now, int64 grace_ms, bool restart_running);

// DeliveryPoll polls every child (see ChildPoll) and frees the slots of stopped, unwanted ones.
void DeliveryPoll(DeliverySupervisor *delivery, int64 now);

// DeliveryWakeAtMs: the earliest ChildWakeAtMs of the wanted or running children, or -1.
int64 DeliveryWakeAtMs(const DeliverySupervisor *delivery);

// DeliveryRunning: how many children are running.
int DeliveryRunning(const DeliverySupervisor *delivery);

} // namespace pgwatch_rpc::pg
