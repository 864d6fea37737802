// The pgwatch_rpc launcher background worker (DESIGN.md §3): waits for the extension in
// pgwatch_rpc.database, prepares keys, certificate and settings, and supervises the
// `pgwatch-rpc listen` child. Registered from _PG_init during shared_preload_libraries.
#pragma once
#include "pg/pg_prelude.h"

extern "C" {
// The worker's entry point, looked up by name in the library by the postmaster.
PGDLLEXPORT void PgwatchRpcLauncherMain(Datum main_arg);
}

namespace pgwatch_rpc::pg {

// RegisterLauncher registers the launcher as a static background worker.
void RegisterLauncher(void);

} // namespace pgwatch_rpc::pg
