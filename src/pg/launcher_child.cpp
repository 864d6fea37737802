// Supervision of one launcher child. Restarts back off exponentially (1 s doubling to 60 s,
// reset after 60 s of healthy running) so a child that cannot start never spins; a crash of
// the child is logged and repaired here and never reaches the postmaster.
#include "pg/launcher_prelude.h"

#include "pg/child_process.hpp"
#include "pg/guc.hpp"
#include "pg/launcher_child.hpp"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

namespace pgwatch_rpc::pg {
namespace {

constexpr int64 kFirstBackoffMs = 1000;
constexpr int64 kMaxBackoffMs = 60 * 1000;
constexpr int64 kHealthyRunMs = 60 * 1000; // a child that ran this long resets the backoff
constexpr size_t kRelayBytesPerWakeup = 64 * 1024;
constexpr size_t kRelayBytesAtExit = 1024 * 1024;
constexpr int kPasswordBytes = (kChildPasswordSize - 1) / 2;
constexpr int kExitBadConfiguration = 2; // the child could not use its settings

// SocketDirectory: the first of unix_socket_directories (palloc'd), or NULL when the server
// has no Unix socket and the child must use TCP to localhost.
char *SocketDirectory(void) {
	if (Unix_socket_directories == nullptr)
		return nullptr;
	const char *p = Unix_socket_directories;
	while (*p == ' ' || *p == '\t')
		p++;
	bool quoted = *p == '"';
	if (quoted)
		p++;
	const char *end = p;
	while (*end != '\0' && (quoted ? *end != '"' : *end != ','))
		end++;
	while (!quoted && end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (end == p)
		return nullptr;
	return pnstrdup(p, end - p);
}

// AppendConninfoValue appends value quoted for a libpq connection string.
void AppendConninfoValue(StringInfo out, const char *value) {
	appendStringInfoChar(out, '\'');
	for (const char *p = value; *p != '\0'; p++) {
		if (*p == '\'' || *p == '\\')
			appendStringInfoChar(out, '\\');
		appendStringInfoChar(out, *p);
	}
	appendStringInfoChar(out, '\'');
}

// HbaDatabase: the database name as a pg_hba.conf field.
const char *HbaDatabase(void) {
	for (const char *p = pgwatch_rpc_database; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return psprintf("\"%s\"", pgwatch_rpc_database);
	return pgwatch_rpc_database;
}

void LogAuthHint(const ChildSupervisor *supervisor) {
	const char *database = HbaDatabase();
	const char *role = supervisor->role;
	char *socket_directory = SocketDirectory();
	if (socket_directory != nullptr)
		ereport(WARNING, (errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
		                  errmsg("the server refused the login of %s as role \"%s\"", supervisor->name, role),
		                  errhint("Put this line in pg_hba.conf above any other line that matches it, then "
		                          "reload: local %s %s scram-sha-256",
		                          database, role)));
	else
		ereport(WARNING,
		        (errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
		         errmsg("the server refused the login of %s as role \"%s\"", supervisor->name, role),
		         errhint("Put these lines in pg_hba.conf above any other line that matches them, then "
		                 "reload: host %s %s 127.0.0.1/32 scram-sha-256 and host %s %s ::1/128 scram-sha-256",
		                 database, role, database, role)));
}

// EnvironmentEntry: "NAME=value" from this process's environment, or NULL if unset.
char *EnvironmentEntry(const char *name) {
	const char *value = getenv(name);
	return value == nullptr ? nullptr : psprintf("%s=%s", name, value);
}

void CloseOutput(ChildSupervisor *supervisor) {
	if (supervisor->output_fd >= 0)
		(void)close(supervisor->output_fd);
	supervisor->output_fd = -1;
}

void Relay(ChildSupervisor *supervisor, size_t max_bytes) {
	if (supervisor->output_fd < 0)
		return;
	if (!LogRelayPump(&supervisor->relay, supervisor->output_fd, max_bytes))
		CloseOutput(supervisor);
	if (supervisor->relay.auth_refused && !supervisor->auth_hint_logged) {
		supervisor->auth_hint_logged = true;
		LogAuthHint(supervisor);
	}
}

void OnExit(ChildSupervisor *supervisor, int status, int64 now) {
	pid_t pid = supervisor->pid;
	// Whatever it wrote before exiting explains the exit: log it first.
	Relay(supervisor, kRelayBytesAtExit);
	CloseOutput(supervisor);
	supervisor->pid = 0;
	char how[128];
	DescribeExit(status, how, sizeof how);
	if (supervisor->one_shot) {
		ereport(DEBUG1, (errmsg("%s (PID %d) %s", supervisor->name, static_cast<int>(pid), how)));
		supervisor->stopping = false;
		supervisor->next_start_ms = PG_INT64_MAX;
		return;
	}
	if (supervisor->stopping) {
		ereport(LOG, (errmsg("%s (PID %d) %s", supervisor->name, static_cast<int>(pid), how)));
		supervisor->stopping = false;
		if (supervisor->restart_when_stopped)
			supervisor->next_start_ms = now;
		supervisor->restart_when_stopped = false;
		return;
	}
	if (now - supervisor->started_at_ms >= kHealthyRunMs)
		supervisor->backoff_ms = kFirstBackoffMs;
	int64 delay_ms = supervisor->backoff_ms;
	ChildScheduleRetry(supervisor, now);
	bool bad_configuration = WIFEXITED(status) && WEXITSTATUS(status) == kExitBadConfiguration;
	ereport(WARNING, (errcode(ERRCODE_SYSTEM_ERROR),
	                  errmsg("%s (PID %d) %s; restarting it in %d s", supervisor->name, static_cast<int>(pid),
	                         how, static_cast<int>(delay_ms / 1000)),
	                  bad_configuration ? errhint("%s", supervisor->bad_config_hint) : 0));
}

} // namespace

int64 LauncherNowMs(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return static_cast<int64>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

void ChildInit(ChildSupervisor *supervisor, const char *name, const char *role, const char *bad_config_hint) {
	memset(supervisor, 0, sizeof *supervisor);
	strlcpy(supervisor->name, name, sizeof supervisor->name);
	supervisor->role = role;
	supervisor->bad_config_hint = bad_config_hint;
	supervisor->output_fd = -1;
	supervisor->backoff_ms = kFirstBackoffMs;
	LogRelayInit(&supervisor->relay, supervisor->name);
}

bool ChildStartDue(const ChildSupervisor *supervisor, int64 now) {
	return supervisor->pid == 0 && now >= supervisor->next_start_ms;
}

void ChildScheduleRetry(ChildSupervisor *supervisor, int64 now) {
	supervisor->next_start_ms = now + supervisor->backoff_ms;
	supervisor->backoff_ms = Min(supervisor->backoff_ms * 2, kMaxBackoffMs);
}

bool NewChildPassword(char password[kChildPasswordSize]) {
	unsigned char random_bytes[kPasswordBytes];
	if (!pg_strong_random(random_bytes, sizeof random_bytes)) {
		ereport(WARNING, (errcode(ERRCODE_INTERNAL_ERROR),
		                  errmsg("pgwatch_rpc launcher could not generate a password for a child")));
		return false;
	}
	for (int i = 0; i < kPasswordBytes; i++)
		snprintf(password + 2 * i, 3, "%02x", random_bytes[i]);
	explicit_bzero(random_bytes, sizeof random_bytes);
	return true;
}

char *ChildConninfo(const char *role) {
	char *socket_directory = SocketDirectory();
	StringInfoData conninfo;
	initStringInfo(&conninfo);
	appendStringInfoString(&conninfo, "host=");
	AppendConninfoValue(&conninfo, socket_directory != nullptr ? socket_directory : "localhost");
	appendStringInfo(&conninfo, " port=%d dbname=", PostPortNumber);
	AppendConninfoValue(&conninfo, pgwatch_rpc_database);
	appendStringInfo(&conninfo, " user=%s", role);
	return conninfo.data;
}

void ChildSpawn(ChildSupervisor *supervisor, char *const argv[], const char *password, int64 now) {
	char *password_entry = psprintf("PGPASSWORD=%s", password);
	// The AWS credentials variables: the SigV4 sinks' fallback when their secrets hold none.
	// The proxy variables libcurl reads for an HTTP sink without a proxy key (HTTP_PROXY in
	// capitals is left out, as libcurl ignores it: a CGI request header could set it).
	const char *inherited[] = {"PATH",
	                           "LANG",
	                           "LC_ALL",
	                           "LD_LIBRARY_PATH",
	                           "AWS_ACCESS_KEY_ID",
	                           "AWS_SECRET_ACCESS_KEY",
	                           "AWS_SESSION_TOKEN",
	                           "http_proxy",
	                           "https_proxy",
	                           "HTTPS_PROXY",
	                           "all_proxy",
	                           "ALL_PROXY",
	                           "no_proxy",
	                           "NO_PROXY"};
	char *envp[lengthof(inherited) + 4]; // + a default PATH, PGPASSWORD, PGAPPNAME, NULL
	int n = 0;
	for (const char *name : inherited)
		if (char *entry = EnvironmentEntry(name))
			envp[n++] = entry;
	if (getenv("PATH") == nullptr)
		envp[n++] = pstrdup("PATH=/usr/local/bin:/usr/bin:/bin");
	envp[n++] = password_entry;
	envp[n++] = psprintf("PGAPPNAME=%s", supervisor->name);
	envp[n] = nullptr;

	SpawnedChild child;
	char error[512];
	bool spawned = SpawnChild(argv, envp, &child, error, sizeof error);
	explicit_bzero(password_entry, strlen(password_entry));
	if (!spawned) {
		ereport(WARNING,
		        (errcode(ERRCODE_SYSTEM_ERROR), errmsg("could not start %s: %s", supervisor->name, error),
		         errhint("Install pgwatch-rpc next to the postgres executable or set pgwatch_rpc.binary.")));
		ChildScheduleRetry(supervisor, now);
		return;
	}
	supervisor->pid = child.pid;
	supervisor->output_fd = child.output_fd;
	supervisor->started_at_ms = now;
	supervisor->stopping = false;
	supervisor->restart_when_stopped = false;
	supervisor->killed = false;
	supervisor->auth_hint_logged = false;
	LogRelayInit(&supervisor->relay, supervisor->name);
	ereport(LOG, (errmsg("pgwatch_rpc launcher started %s (PID %d)", supervisor->name,
	                     static_cast<int>(child.pid))));
}

void ChildStop(ChildSupervisor *supervisor, int64 now, int64 grace_ms, bool restart) {
	if (supervisor->pid == 0)
		return;
	supervisor->restart_when_stopped = restart;
	if (supervisor->stopping) {
		supervisor->kill_at_ms = Min(supervisor->kill_at_ms, now + grace_ms);
		return;
	}
	supervisor->stopping = true;
	supervisor->kill_at_ms = now + grace_ms;
	(void)kill(supervisor->pid, SIGTERM);
}

void ChildReload(const ChildSupervisor *supervisor) {
	if (supervisor->pid != 0 && !supervisor->stopping)
		(void)kill(supervisor->pid, SIGHUP);
}

void ChildPoll(ChildSupervisor *supervisor, int64 now) {
	Relay(supervisor, kRelayBytesPerWakeup);
	if (supervisor->pid == 0)
		return;
	int status;
	pid_t reaped = waitpid(supervisor->pid, &status, WNOHANG);
	if (reaped == supervisor->pid) {
		OnExit(supervisor, status, now);
		return;
	}
	if (reaped < 0 && errno == ECHILD) {
		// Someone else reaped it (cannot happen in the launcher, but never wait forever).
		CloseOutput(supervisor);
		supervisor->pid = 0;
		supervisor->stopping = false;
		ChildScheduleRetry(supervisor, now);
		return;
	}
	if (supervisor->stopping && !supervisor->killed && now >= supervisor->kill_at_ms) {
		ereport(WARNING,
		        (errcode(ERRCODE_SYSTEM_ERROR), errmsg("%s (PID %d) did not stop in time; killing it",
		                                               supervisor->name, static_cast<int>(supervisor->pid))));
		(void)kill(supervisor->pid, SIGKILL);
		supervisor->killed = true;
	}
}

int64 ChildWakeAtMs(const ChildSupervisor *supervisor) {
	if (supervisor->pid == 0)
		return supervisor->next_start_ms;
	if (supervisor->stopping && !supervisor->killed)
		return supervisor->kill_at_ms;
	return -1;
}

} // namespace pgwatch_rpc::pg
