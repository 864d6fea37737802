// The launcher's database work: each function is one short transaction through SPI, with a
// lock timeout so the launcher never queues behind (or in front of) DDL for long. RunGuarded
// turns their errors into warnings (autovacuum's and pg_cron's loops recover the same way).
#include "pg/launcher_prelude.h"

#include "pg/guc.hpp"
#include "pg/key_file.hpp"
#include "pg/launcher_catalog.hpp"

namespace pgwatch_rpc::pg {
namespace {

constexpr const char *kExtensionName = "pgwatch_rpc";
constexpr const char *kDeliveryRole = "pgwatch_rpc_delivery";
constexpr const char *kDefaultKey = "default";
constexpr int kPartitionDaysAhead = 3;

// Execute runs sql and checks its SPI result code.
void Execute(const char *sql, int expected) {
	int rc = SPI_execute(sql, false, 0);
	if (rc != expected)
		ereport(ERROR,
		        (errcode(ERRCODE_INTERNAL_ERROR), errmsg("%s failed: %s", sql, SPI_result_code_string(rc))));
}

// SingleText runs a query returning one text column of one row; NULL for no row or NULL.
char *SingleText(const char *sql) {
	Execute(sql, SPI_OK_SELECT);
	if (SPI_processed == 0)
		return nullptr;
	return SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
}

} // namespace

// BeginWork starts a transaction with an SPI connection and a snapshot, shown in
// pg_stat_activity as activity.
void BeginWork(const char *activity) {
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	// Our statements wait at most this long for a lock; the next cycle tries again.
	(void)set_config_option("lock_timeout", "5s", PGC_SUSET, PGC_S_SESSION, GUC_ACTION_LOCAL, true, 0, false);
	if (SPI_connect() != SPI_OK_CONNECT)
		ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("SPI_connect failed")));
	PushActiveSnapshot(GetTransactionSnapshot());
	pgstat_report_activity(STATE_RUNNING, activity);
}

void EndWork(void) {
	if (SPI_finish() != SPI_OK_FINISH)
		ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("SPI_finish failed")));
	PopActiveSnapshot();
	CommitTransactionCommand();
	pgstat_report_stat(false);
	pgstat_report_activity(STATE_IDLE, nullptr);
}

bool RunGuarded(const char *what, void (*fn)(void *arg), void *arg) {
	MemoryContext caller_context = CurrentMemoryContext;
	volatile bool ok = true;
	PG_TRY();
	{ fn(arg); }
	PG_CATCH();
	{
		MemoryContextSwitchTo(caller_context);
		ErrorData *edata = CopyErrorData();
		FlushErrorState();
		AbortOutOfAnyTransaction();
		pgstat_report_activity(STATE_IDLE, nullptr);
		ereport(WARNING, (errcode(edata->sqlerrcode),
		                  errmsg("pgwatch_rpc launcher could not %s: %s", what, edata->message),
		                  edata->detail != nullptr ? errdetail("%s", edata->detail) : 0,
		                  edata->hint != nullptr ? errhint("%s", edata->hint) : 0));
		FreeErrorData(edata);
		ok = false;
	}
	PG_END_TRY();
	return ok;
}

Oid ExtensionOid(void) {
	StartTransactionCommand();
	Oid oid = get_extension_oid(kExtensionName, true);
	CommitTransactionCommand();
	return oid;
}

void SetUpExtension(void) {
	BeginWork("pgwatch_rpc: first-start setup");
	// A rotation that committed just before a crash left its secret staged, not yet in place.
	RecoverStagedKeyFile();
	char *schema = SingleText("SELECT e.extnamespace::pg_catalog.regnamespace::pg_catalog.text "
	                          "FROM pg_catalog.pg_extension e WHERE e.extname = 'pgwatch_rpc'");
	char *no_key = SingleText("SELECT NOT EXISTS (SELECT FROM pgwatch_rpc.keys)");
	bool created = false;
	if (schema != nullptr && no_key != nullptr && strcmp(no_key, "t") == 0) {
		// rpc_key_create stages the secret of key "default" into pgwatch_rpc.key_file at commit.
		Execute(psprintf("SELECT %s.rpc_key_create(%s)", schema, quote_literal_cstr(kDefaultKey)),
		        SPI_OK_SELECT);
		created = true;
	}
	EndWork();
	if (created)
		ereport(LOG, (errmsg("pgwatch_rpc created key \"%s\"", kDefaultKey),
		              errdetail("Its secret is in \"%s\".", KeyFilePath())));
}

void EnsureSpoolPartitions(void) {
	BeginWork("pgwatch_rpc: spool partitions");
	Execute(psprintf("SELECT pgwatch_rpc.spool_ensure_partitions(%d)", kPartitionDaysAhead), SPI_OK_SELECT);
	EndWork();
}

void SetRolePassword(const char *role, const char *password) {
	BeginWork("pgwatch_rpc: child role password");
	// Inside the transaction: the HMAC it computes is tracked by the current resource owner.
	char *verifier = pg_be_scram_build_secret(password);
	Execute(psprintf("ALTER ROLE %s PASSWORD %s", quote_identifier(role), quote_literal_cstr(verifier)),
	        SPI_OK_UTILITY);
	EndWork();
}

void GrantDeliveryPrivileges(void) {
	BeginWork("pgwatch_rpc: delivery privileges");
	Execute(psprintf("GRANT CREATE ON DATABASE %s TO %s", quote_identifier(pgwatch_rpc_database),
	                 quote_identifier(kDeliveryRole)),
	        SPI_OK_UTILITY);
	char *has_public = SingleText("SELECT pg_catalog.to_regnamespace('public') IS NOT NULL");
	if (has_public != nullptr && strcmp(has_public, "t") == 0)
		Execute(psprintf("GRANT CREATE ON SCHEMA public TO %s", quote_identifier(kDeliveryRole)),
		        SPI_OK_UTILITY);
	EndWork();
}

int ReadEnabledSinks(EnabledSink *out, int max) {
	BeginWork("pgwatch_rpc: reading sinks");
	Execute("SELECT s.name, s.generation FROM pgwatch_rpc.sinks AS s WHERE s.enabled ORDER BY s.name",
	        SPI_OK_SELECT);
	int total = static_cast<int>(SPI_processed);
	for (int i = 0; i < total && i < max; i++) {
		HeapTuple row = SPI_tuptable->vals[i];
		bool isnull;
		Datum name = SPI_getbinval(row, SPI_tuptable->tupdesc, 1, &isnull);
		strlcpy(out[i].name, TextDatumGetCString(name), sizeof out[i].name);
		out[i].generation = DatumGetInt64(SPI_getbinval(row, SPI_tuptable->tupdesc, 2, &isnull));
	}
	EndWork();
	return total;
}

} // namespace pgwatch_rpc::pg
