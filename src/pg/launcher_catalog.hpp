// The launcher's short transactions in pgwatch_rpc.database (STYLE.md §6.2.11): is the
// extension there, first-start setup (key file recovery, the default key), spool partitions,
// and the listener role's password. Each runs in its own transaction with a lock timeout, so
// the launcher never holds a lock that DDL such as DROP EXTENSION waits on for long.
#pragma once
#include "pg/pg_prelude.h"

namespace pgwatch_rpc::pg {

// RunGuarded runs fn(arg) and returns true. If it raises an error, the error is logged as a
// WARNING prefixed with "could not <what>", any open transaction is aborted, and it returns
// false: nothing the launcher does in the database may make it exit.
bool RunGuarded(const char *what, void (*fn)(void *arg), void *arg);

// ExtensionOid: the OID of extension pgwatch_rpc in this database, or InvalidOid.
Oid ExtensionOid(void);

// SetUpExtension: completes key file staging interrupted by a crash, and creates key
// "default" (whose secret the SQL API writes to pgwatch_rpc.key_file) when no key exists.
void SetUpExtension(void);

// EnsureSpoolPartitions creates the spool's daily partitions for the next days.
void EnsureSpoolPartitions(void);

// SetListenerPassword makes password the password of role pgwatch_rpc_listener. Only its
// SCRAM verifier appears in the statement, never the password itself.
void SetListenerPassword(const char *password);

} // namespace pgwatch_rpc::pg
