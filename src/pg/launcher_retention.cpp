// Runs pgwatch_rpc.spool_apply_retention from the launcher's loop. The function takes its own
// short lock_timeout and postpones itself when the spool is busy, so a run never stalls the
// listener's inserts for long; anything else that fails is a warning and the next run retries.
#include "pg/pg_prelude.h"

#include "pg/guc.hpp"
#include "pg/launcher_catalog.hpp"
#include "pg/launcher_retention.hpp"

namespace pgwatch_rpc::pg {
namespace {

// A minute is short next to a day's partition and long next to the run's cost (a few catalog
// reads and one index probe per enabled sink and listener per past partition).
constexpr int64 kRetentionIntervalMs = 60 * 1000;
constexpr int64 kBytesPerMB = 1024 * 1024;

int64 next_run_ms = 0;

// ApplySpoolRetention calls the SQL function in a transaction of its own; it ereports on failure
// (call it through RunGuarded).
void ApplySpoolRetention(void *) {
	BeginWork("pgwatch_rpc: spool retention");
	Oid types[2] = {FLOAT8OID, INT8OID};
	Datum values[2] = {Float8GetDatum(static_cast<double>(pgwatch_rpc_spool_retention_s)),
	                   Int64GetDatum(static_cast<int64>(pgwatch_rpc_spool_max_size_mb) * kBytesPerMB)};
	// The function logs what it drops and what each sink loses.
	int rc =
	    SPI_execute_with_args("SELECT pg_catalog.count(*) FROM "
	                          "pgwatch_rpc.spool_apply_retention(pg_catalog.make_interval(secs => $1), $2)",
	                          2, types, values, nullptr, false, 0);
	if (rc != SPI_OK_SELECT)
		ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
		                errmsg("pgwatch_rpc.spool_apply_retention failed: %s", SPI_result_code_string(rc))));
	EndWork();
}

} // namespace

int64 SpoolRetentionWork(int64 now) {
	if (now >= next_run_ms) {
		next_run_ms = now + kRetentionIntervalMs;
		(void)RunGuarded("apply spool retention", ApplySpoolRetention, nullptr);
	}
	return next_run_ms;
}

} // namespace pgwatch_rpc::pg
