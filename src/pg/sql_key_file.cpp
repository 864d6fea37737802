// SQL-callable access to the key file (key_file.hpp): pgwatch_rpc._stage_key_file(secret),
// used by rpc_key_create('default') and rpc_rotate_key('default'), and
// pgwatch_rpc._key_file_path() for tests and operators. Superusers only: the API reaches
// them through SECURITY DEFINER functions owned by the extension's owner.
#include "pg/pg_prelude.h"

#include "pg/key_file.hpp"

#include <string.h>

extern "C" {
PG_FUNCTION_INFO_V1(_stage_key_file);
PG_FUNCTION_INFO_V1(_key_file_path);
}

namespace {

void RequireSuperuser(const char *function_name) {
	if (!superuser())
		ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
		                errmsg("permission denied for function %s", function_name),
		                errdetail("Only superusers and the pgwatch_rpc API functions may call it.")));
}

} // namespace

// _stage_key_file(secret text) RETURNS void: see StageKeyFile.
Datum _stage_key_file(PG_FUNCTION_ARGS) {
	RequireSuperuser("pgwatch_rpc._stage_key_file");
	char *secret = text_to_cstring(PG_GETARG_TEXT_PP(0));
	pgwatch_rpc::pg::StageKeyFile(secret);
	explicit_bzero(secret, strlen(secret));
	pfree(secret);
	PG_RETURN_VOID();
}

// _key_file_path() RETURNS text: the absolute path of the key file.
Datum _key_file_path(PG_FUNCTION_ARGS) {
	RequireSuperuser("pgwatch_rpc._key_file_path");
	PG_RETURN_TEXT_P(cstring_to_text(pgwatch_rpc::pg::KeyFilePath()));
}
