// The module's entry point: _PG_init runs in every process that loads pgwatch_rpc.so. It defines
// the parameters and, during shared_preload_libraries processing only, registers the launcher.
// No logic here beyond that (pg_duckdb's and pgvector's _PG_init delegate the same way).
#include "pg/pg_prelude.h"

#include "pg/guc.hpp"
#include "pg/launcher.hpp"
#include "pg/launcher_shmem.hpp"

extern "C" {
PG_MODULE_MAGIC;

PGDLLEXPORT void _PG_init(void);
}

void _PG_init(void) {
	// pg_upgrade starts the new cluster with the library preloaded: nothing of ours may run.
	if (IsBinaryUpgrade)
		return;
	// Refuse before defining anything: if _PG_init fails, PostgreSQL calls it again at the next
	// load, and the parameters must not have been defined by the failed attempt.
	if (!process_shared_preload_libraries_in_progress)
		ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
		                errmsg("pgwatch_rpc must be loaded via shared_preload_libraries"),
		                errhint("Add pgwatch_rpc to shared_preload_libraries in postgresql.conf and "
		                        "restart the server.")));
	pgwatch_rpc::pg::DefineGucs();
	pgwatch_rpc::pg::InstallLauncherShmemHooks();
	pgwatch_rpc::pg::RegisterLauncher();
}
