// The launcher's short transactions in pgwatch_rpc.database (STYLE.md §6.2.11): is the
// extension there, first-start setup (key file recovery, the default key), spool partitions,
// the children's role passwords and privileges, and the list of enabled sinks. Each runs in its own
// transaction with a lock timeout, so the launcher never holds a lock that DDL such as DROP EXTENSION waits
// on for long.
#pragma once
#include "pg/pg_prelude.h"

namespace pgwatch_rpc::pg {

// RunGuarded runs fn(arg) and returns true. If it raises an error, the error is logged as a
// WARNING prefixed with "could not <what>", any open transaction is aborted, and it returns
// false: nothing the launcher does in the database may make it exit.
bool RunGuarded(const char *what, void (*fn)(void *arg), void *arg);

// BeginWork starts a transaction with an SPI connection, a snapshot and a 5 s lock timeout,
// shown in pg_stat_activity as activity; EndWork commits it. For code run by RunGuarded.
void BeginWork(const char *activity);
void EndWork(void);

// ExtensionOid: the OID of extension pgwatch_rpc in this database, or InvalidOid.
Oid ExtensionOid(void);

// SetUpExtension: completes key file staging interrupted by a crash, and creates key
// "default" (whose secret the SQL API writes to pgwatch_rpc.key_file) when no key exists.
void SetUpExtension(void);

// EnsureSpoolPartitions creates the spool's daily partitions for the next days.
void EnsureSpoolPartitions(void);

// SetRolePassword makes password the password of role (one of the children's roles). Only
// its SCRAM verifier appears in the statement, never the password itself.
void SetRolePassword(const char *role, const char *password);

// GrantDeliveryPrivileges gives pgwatch_rpc_delivery what the local postgres sink needs in
// this database: CREATE on the database and on schema public (if it exists). Idempotent.
void GrantDeliveryPrivileges(void);

// Longest sink name (pgwatch_rpc.sinks' CHECK) plus its terminating NUL.
constexpr int kSinkNameSize = 64;

struct EnabledSink {
	char name[kSinkNameSize];
	int64 generation;
};

// ReadEnabledSinks fills out with at most max enabled sinks, sorted by name, and returns how
// many are enabled in all (more than max when some do not fit).
int ReadEnabledSinks(EnabledSink *out, int max);

} // namespace pgwatch_rpc::pg
