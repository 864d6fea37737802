// SQL-callable key helpers: pgwatch_rpc._new_secret() and pgwatch_rpc._fingerprint(text),
// thin wrappers of auth::NewSecret and auth::Fingerprint (src/core/auth/key_secret.hpp) for
// rpc_key_create and rpc_rotate_key. The stored hash is PostgreSQL's sha256() of the secret,
// which equals auth::HashSecret (the listener's side).
#include "core/auth/key_secret.hpp" // before PostgreSQL's headers: core_only.hpp refuses them

#include "pg/pg_prelude.h"
#include "pg/cpp_guard.hpp"

#include <string.h>

#include <stdexcept>
#include <string>

extern "C" {
PG_FUNCTION_INFO_V1(_new_secret);
PG_FUNCTION_INFO_V1(_fingerprint);
}

namespace {

// Both results are short ASCII strings: copied into a caller's buffer so that no std::string
// outlives the InvokeCpp lambda.
constexpr size_t kResultBytes = 128;

void CopyResult(const std::string &value, char *out) {
	if (value.size() >= kResultBytes)
		throw std::length_error("result longer than expected");
	memcpy(out, value.data(), value.size());
	out[value.size()] = '\0';
}

} // namespace

// _new_secret() RETURNS text: 43 characters of base64url from 256 random bits.
Datum _new_secret(PG_FUNCTION_ARGS) {
	char secret[kResultBytes];
	char *out = secret;
	pgwatch_rpc::pg::InvokeCpp("could not generate a key secret", ERRCODE_INTERNAL_ERROR,
	                           [out] { CopyResult(pgwatch_rpc::auth::NewSecret(), out); });
	text *result = cstring_to_text(secret);
	explicit_bzero(secret, sizeof secret);
	PG_RETURN_TEXT_P(result);
}

// _fingerprint(secret text) RETURNS text: 16 hex digits that tell keys apart.
Datum _fingerprint(PG_FUNCTION_ARGS) {
	text *secret = PG_GETARG_TEXT_PP(0);
	const char *data = VARDATA_ANY(secret);
	size_t size = VARSIZE_ANY_EXHDR(secret);
	char fingerprint[kResultBytes];
	char *out = fingerprint;
	pgwatch_rpc::pg::InvokeCpp(
	    "could not compute a key fingerprint", ERRCODE_INTERNAL_ERROR,
	    [data, size, out] { CopyResult(pgwatch_rpc::auth::Fingerprint(std::string_view(data, size)), out); });
	PG_RETURN_TEXT_P(cstring_to_text(fingerprint));
}
