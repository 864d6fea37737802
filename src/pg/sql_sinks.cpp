// SQL-callable helpers of the sink API: pgwatch_rpc._validate_sink (the sink kind's own
// validator, sink::ValidateSinkConfig, so a bad config is refused at rpc_sink_add),
// pgwatch_rpc._sink_secret_keys (what rpc_sinks redacts), pgwatch_rpc._wake_launcher and
// pgwatch_rpc._request_sink_test.
// The core calls run inside InvokeCpp and write their results into fixed buffers, so no C++
// object outlives them into code that can ereport.
#include "core/sink/registry.hpp" // before PostgreSQL's headers: core_only.hpp refuses them

#include "pg/cpp_guard.hpp"
#include "pg/launcher_shmem.hpp"
#include "pg/pg_prelude.h"

#include <string.h>

#include <string>
#include <string_view>
#include <vector>

extern "C" {
PG_FUNCTION_INFO_V1(_validate_sink);
PG_FUNCTION_INFO_V1(_sink_secret_keys);
PG_FUNCTION_INFO_V1(_wake_launcher);
PG_FUNCTION_INFO_V1(_request_sink_test);
}

namespace {

// Room for the texts of one call: a longer list is cut, with a last entry saying so.
constexpr size_t kTextsBytes = 16 * 1024;
constexpr const char *kMore = "(more problems not shown)";

// Texts: NUL-separated strings in a fixed buffer.
struct Texts {
	char data[kTextsBytes];
	size_t used;
	int count;
};

// Add appends text, or kMore once when it does not fit (room for kMore is always kept).
void Add(Texts *texts, std::string_view text) {
	size_t reserve = strlen(kMore) + 1;
	if (texts->count < 0)
		return; // already cut
	if (texts->used + text.size() + 1 + reserve > sizeof texts->data) {
		memcpy(texts->data + texts->used, kMore, reserve);
		texts->used += reserve;
		texts->count = -(texts->count + 1);
		return;
	}
	memcpy(texts->data + texts->used, text.data(), text.size());
	texts->used += text.size();
	texts->data[texts->used++] = '\0';
	texts->count++;
}

// ToArray builds a text[] from texts (empty array for none).
ArrayType *ToArray(const Texts *texts) {
	int count = texts->count < 0 ? -texts->count : texts->count;
	Datum *elements = static_cast<Datum *>(palloc(sizeof(Datum) * (count > 0 ? count : 1)));
	const char *p = texts->data;
	for (int i = 0; i < count; i++) {
		elements[i] = PointerGetDatum(cstring_to_text(p));
		p += strlen(p) + 1;
	}
	return construct_array(elements, count, TEXTOID, -1, false, TYPALIGN_INT);
}

char *JsonbText(Datum jsonb) {
	return DatumGetCString(DirectFunctionCall1(jsonb_out, jsonb));
}

char *ArgText(FunctionCallInfo fcinfo, int n) {
	return text_to_cstring(PG_GETARG_TEXT_PP(n));
}

} // namespace

// _validate_sink(kind text, config jsonb, secrets jsonb) RETURNS text[]: "key: reason" per
// problem; empty when the configuration is valid.
Datum _validate_sink(PG_FUNCTION_ARGS) {
	const char *kind = ArgText(fcinfo, 0);
	const char *config = JsonbText(PG_GETARG_DATUM(1));
	const char *secrets = JsonbText(PG_GETARG_DATUM(2));
	Texts *texts = static_cast<Texts *>(palloc(sizeof(Texts)));
	texts->used = 0;
	texts->count = 0;
	pgwatch_rpc::pg::InvokeCpp(
	    "could not validate the sink configuration", ERRCODE_INTERNAL_ERROR, [kind, config, secrets, texts] {
		    for (const auto &problem : pgwatch_rpc::sink::ValidateSinkConfig(kind, config, secrets))
			    Add(texts, problem.key + ": " + problem.reason);
	    });
	PG_RETURN_ARRAYTYPE_P(ToArray(texts));
}

// _sink_secret_keys(kind text) RETURNS text[]: the kind's SecretKeys(); empty if unknown.
Datum _sink_secret_keys(PG_FUNCTION_ARGS) {
	const char *kind = ArgText(fcinfo, 0);
	Texts *texts = static_cast<Texts *>(palloc(sizeof(Texts)));
	texts->used = 0;
	texts->count = 0;
	pgwatch_rpc::pg::InvokeCpp(
	    "could not list the secret keys of a sink kind", ERRCODE_INTERNAL_ERROR, [kind, texts] {
		    const pgwatch_rpc::sink::SinkKind *found = pgwatch_rpc::sink::FindKind(kind);
		    if (found != nullptr)
			    for (const std::string &key : found->SecretKeys())
				    Add(texts, key);
	    });
	PG_RETURN_ARRAYTYPE_P(ToArray(texts));
}

// _wake_launcher() RETURNS void: the launcher reconciles its delivery children at commit.
Datum _wake_launcher(PG_FUNCTION_ARGS) {
	pgwatch_rpc::pg::WakeLauncherAtCommit();
	PG_RETURN_VOID();
}

// _request_sink_test(name text, request_id bigint) RETURNS void: queues a test of the sink
// for the launcher now (not at commit: the caller waits for the outcome in this transaction).
Datum _request_sink_test(PG_FUNCTION_ARGS) {
	const char *name = ArgText(fcinfo, 0);
	if (strlen(name) >= static_cast<size_t>(pgwatch_rpc::pg::kSinkNameSize))
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("sink name \"%s\" is too long", name)));
	pgwatch_rpc::pg::RequestSinkTest(name, PG_GETARG_INT64(1));
	PG_RETURN_VOID();
}
