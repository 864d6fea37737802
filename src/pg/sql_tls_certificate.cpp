// rpc_tls_certificate() RETURNS text: the certificate chain (PEM) the listener presents, to
// hand to pgwatch as its sslrootca. pgwatch_rpc.ssl_cert_file when set, else the self-signed
// certificate the launcher creates. Never the private key. For pgwatch_rpc_admin and
// pgwatch_rpc_monitor: the function checks the calling role itself so that the error says
// which role to grant.
#include "pg/pg_prelude.h"

#include "pg/guc.hpp"
#include "pg/listener_files.hpp"
#include "pg/tls_files.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(rpc_tls_certificate);
}

namespace {

// HasPrivilegesOf: whether the current user (the caller: this function is SECURITY INVOKER)
// has the privileges of role_name, as pg_has_role(role_name, 'USAGE') says.
bool HasPrivilegesOf(const char *role_name) {
	NameData role;
	namestrcpy(&role, role_name);
	return DatumGetBool(
	    DirectFunctionCall2(pg_has_role_name, NameGetDatum(&role), CStringGetTextDatum("USAGE")));
}

} // namespace

Datum rpc_tls_certificate(PG_FUNCTION_ARGS) {
	if (!HasPrivilegesOf("pgwatch_rpc_monitor") && !HasPrivilegesOf("pgwatch_rpc_admin")) {
		const char *user = GetUserNameFromId(GetUserId(), false);
		ereport(ERROR,
		        (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
		         errmsg("permission denied to read the pgwatch_rpc certificate"),
		         errdetail("Role %s has the privileges of neither pgwatch_rpc_monitor nor pgwatch_rpc_admin.",
		                   quote_identifier(user)),
		         errhint("GRANT pgwatch_rpc_monitor TO %s;", quote_identifier(user))));
	}
	bool self_signed = pgwatch_rpc_ssl_cert_file == nullptr || pgwatch_rpc_ssl_cert_file[0] == '\0';
	char *path = pgwatch_rpc::pg::ResolvedCertificatePath();
	PG_RETURN_TEXT_P(cstring_to_text(pgwatch_rpc::pg::ReadCertificateChain(path, self_signed)));
}
