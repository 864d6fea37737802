// Supervision of the `pgwatch-rpc listen` child (DESIGN.md §3.2): starting it with a fresh
// password and settings file, relaying its output, reaping it, restarting it with exponential
// backoff, and stopping it gracefully. Plain data and functions, driven by the launcher's loop;
// all times are milliseconds of the monotonic clock (LauncherNowMs).
#pragma once
#include "pg/pg_prelude.h"

#include "pg/log_relay.hpp"

#include <sys/types.h>

namespace pgwatch_rpc::pg {

struct ListenerSupervisor {
	pid_t pid;     // 0: no child
	int output_fd; // read end of the child's output pipe; -1 when closed
	int64 started_at_ms;
	int64 next_start_ms;       // no start before this (backoff)
	int64 backoff_ms;          // delay after the next unexpected exit or failed start
	bool stopping;             // SIGTERM sent
	bool restart_when_stopped; // start again at once when the stopped child is reaped
	bool killed;               // SIGKILL sent after the grace period
	int64 kill_at_ms;
	bool auth_hint_logged; // the pg_hba.conf hint, once per child
	LogRelay relay;
};

// LauncherNowMs: the monotonic clock in milliseconds.
int64 LauncherNowMs(void);

void ListenerInit(ListenerSupervisor *supervisor);

// ListenerStartDue: no child runs and the backoff delay has passed.
bool ListenerStartDue(const ListenerSupervisor *supervisor, int64 now);

// ListenerStart sets a new password for the listener role, writes the certificate and the
// settings file, and spawns the child. Failures are logged and retried after the backoff.
void ListenerStart(ListenerSupervisor *supervisor, int64 now);

// ListenerStop asks the child to stop (SIGTERM) and kills it if it is still there after
// grace_ms. With restart, the next child starts as soon as this one is reaped.
void ListenerStop(ListenerSupervisor *supervisor, int64 now, int64 grace_ms, bool restart);

// ListenerReload forwards a configuration reload (SIGHUP) to the running child.
void ListenerReload(const ListenerSupervisor *supervisor);

// ListenerPoll relays pending output (bounded), reaps an exited child and schedules its
// restart, and sends SIGKILL when a stop's grace period is over. Call on every wakeup.
void ListenerPoll(ListenerSupervisor *supervisor, int64 now);

// ListenerWakeAtMs: when the supervisor next needs the loop without any event (a due
// restart or SIGKILL), or -1 for never.
int64 ListenerWakeAtMs(const ListenerSupervisor *supervisor);

} // namespace pgwatch_rpc::pg
