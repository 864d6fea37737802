// Supervision of one `pgwatch-rpc` child of the launcher (DESIGN.md §3.2), whatever it runs
// (listen, deliver <sink>): spawning it with a password in its environment, relaying its
// output prefixed with its name, reaping it, restarting it with exponential backoff, and
// stopping it gracefully (SIGTERM, then SIGKILL). Plain data and functions driven by the
// launcher's loop; times are milliseconds of the monotonic clock (LauncherNowMs).
#pragma once
#include "pg/pg_prelude.h"

#include "pg/log_relay.hpp"

#include <sys/types.h>

namespace pgwatch_rpc::pg {

// Longest child name: "pgwatch-rpc deliver " and a 63-character sink name.
constexpr size_t kChildNameMax = 96;
// A child's password: 32 random bytes in hex.
constexpr size_t kChildPasswordSize = 65;

struct ChildSupervisor {
	char name[kChildNameMax];    // prefix of its relayed lines, e.g. "pgwatch-rpc listen"
	const char *role;            // the role it logs in as (static string)
	const char *bad_config_hint; // errhint when it exits with code 2 (bad configuration)
	pid_t pid;                   // 0: no child
	int output_fd;               // read end of the child's output pipe; -1 when closed
	int64 started_at_ms;
	int64 next_start_ms;       // no start before this (backoff)
	int64 backoff_ms;          // delay after the next unexpected exit or failed start
	bool stopping;             // SIGTERM sent
	bool restart_when_stopped; // start again at once when the stopped child is reaped
	bool killed;               // SIGKILL sent after the grace period
	int64 kill_at_ms;
	bool auth_hint_logged; // the pg_hba.conf hint, once per child
	bool one_shot;         // runs once (a sink test): its exit is logged, it is never restarted
	LogRelay relay;
};

// LauncherNowMs: the monotonic clock in milliseconds.
int64 LauncherNowMs(void);

// ChildInit prepares supervisor for a child called name (copied) that logs in as role.
// The supervisor must not move while it has a child: its relay points into it.
void ChildInit(ChildSupervisor *supervisor, const char *name, const char *role, const char *bad_config_hint);

// ChildStartDue: no child runs and the backoff delay has passed.
bool ChildStartDue(const ChildSupervisor *supervisor, int64 now);

// ChildScheduleRetry: the next start waits for the backoff delay, which then doubles.
void ChildScheduleRetry(ChildSupervisor *supervisor, int64 now);

// NewChildPassword writes a fresh random password into password; false (logged) on failure.
bool NewChildPassword(char password[kChildPasswordSize]);

// ChildConninfo: the libpq connection string of a child logging in as role (palloc'd): the
// server's first Unix socket directory, or localhost when it has none.
char *ChildConninfo(const char *role);

// ChildSpawn starts argv (argv[0] is the program) with the password in PGPASSWORD and the
// child's name as PGAPPNAME. A failure is logged and retried after the backoff.
void ChildSpawn(ChildSupervisor *supervisor, char *const argv[], const char *password, int64 now);

// ChildStop asks the child to stop (SIGTERM) and kills it if it is still there after
// grace_ms. With restart, the next child starts as soon as this one is reaped.
void ChildStop(ChildSupervisor *supervisor, int64 now, int64 grace_ms, bool restart);

// ChildReload forwards a configuration reload (SIGHUP) to the running child.
void ChildReload(const ChildSupervisor *supervisor);

// ChildPoll relays pending output (bounded), reaps an exited child and schedules its
// restart, and sends SIGKILL when a stop's grace period is over. Call on every wakeup.
void ChildPoll(ChildSupervisor *supervisor, int64 now);

// ChildWakeAtMs: when the supervisor next needs the loop without any event (a due restart
// or SIGKILL), or -1 for never.
int64 ChildWakeAtMs(const ChildSupervisor *supervisor);

} // namespace pgwatch_rpc::pg
