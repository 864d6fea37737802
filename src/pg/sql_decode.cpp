// rpc_decode(payload bytea, kind text DEFAULT 'measurement') RETURNS jsonb: a spool payload
// rendered by wire::PayloadToJson (src/core/wire/payload_json.hpp) with pgwatch's field names,
// then parsed by jsonb_in. The JSON text is built in malloc'd memory inside the C++ fence and
// freed on every path, including an ERROR from jsonb_in.
#include "core/wire/payload_json.hpp" // before PostgreSQL's headers: core_only.hpp refuses them

#include "pg/pg_prelude.h"
#include "pg/cpp_guard.hpp"

#include <stdlib.h>
#include <string.h>

#include <limits>
#include <new>
#include <string>

extern "C" {
PG_FUNCTION_INFO_V1(rpc_decode);
}

namespace {

using pgwatch_rpc::wire::PayloadKind;

// What the fence hands back: plain data only. json is malloc'd (the caller frees it).
struct DecodeOutcome {
	char *json;
	char message[512]; // set when json is NULL: why the payload is not a valid message
};

const char *MessageName(PayloadKind kind) {
	switch (kind) {
	case PayloadKind::kMeasurement:
		return "MeasurementEnvelope";
	case PayloadKind::kSync:
		return "SyncReq";
	case PayloadKind::kDefine:
		return "google.protobuf.Struct";
	}
	return "message";
}

// Decoding limits: whatever a listener accepted must decode here, whatever its own limits
// were configured to, so only the depth is bounded (the renderer recurses per level and runs
// on this backend's stack).
pgwatch_rpc::wire::Limits DecodeLimits() {
	pgwatch_rpc::wire::Limits limits;
	limits.max_rows = std::numeric_limits<size_t>::max();
	limits.max_depth = pgwatch_rpc::wire::kMaxDepthCap;
	limits.max_string_bytes = std::numeric_limits<size_t>::max();
	limits.max_name_bytes = std::numeric_limits<size_t>::max();
	limits.max_fields_per_struct = std::numeric_limits<size_t>::max();
	return limits;
}

} // namespace

Datum rpc_decode(PG_FUNCTION_ARGS) {
	bytea *payload = PG_GETARG_BYTEA_PP(0);
	char *kind_text = text_to_cstring(PG_GETARG_TEXT_PP(1));
	PayloadKind kind = PayloadKind::kMeasurement;
	bool known = pgwatch_rpc::pg::InvokeCpp(
	    "could not parse the payload kind", ERRCODE_INTERNAL_ERROR,
	    [kind_text, &kind] { return pgwatch_rpc::wire::ParsePayloadKind(kind_text, &kind); });
	if (!known)
		ereport(ERROR,
		        (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("unknown payload kind \"%s\"", kind_text),
		         errhint("The kind is one of measurement, sync and define (the spool's kind column).")));

	const uint8_t *data = (const uint8_t *)VARDATA_ANY(payload);
	size_t size = VARSIZE_ANY_EXHDR(payload);
	DecodeOutcome outcome;
	outcome.json = nullptr;
	outcome.message[0] = '\0';
	DecodeOutcome *out = &outcome;
	pgwatch_rpc::pg::InvokeCpp(
	    "could not decode the payload", ERRCODE_INTERNAL_ERROR, [kind, data, size, out] {
		    std::string json;
		    pgwatch_rpc::wire::ScanResult result =
		        pgwatch_rpc::wire::PayloadToJson(kind, data, size, DecodeLimits(), &json);
		    if (!result.ok()) {
			    snprintf(out->message, sizeof out->message, "%s", result.message.c_str());
			    return;
		    }
		    out->json = static_cast<char *>(malloc(json.size() + 1));
		    if (out->json == nullptr)
			    throw std::bad_alloc();
		    memcpy(out->json, json.data(), json.size());
		    out->json[json.size()] = '\0';
	    });
	if (outcome.json == nullptr)
		ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
		                errmsg("payload is not a valid %s: %s", MessageName(kind), outcome.message),
		                errhint("rpc_decode's second argument must match the spool row's kind column.")));

	Datum result;
	char *json = outcome.json;
	PG_TRY();
	{ result = DirectFunctionCall1(jsonb_in, CStringGetDatum(json)); }
	PG_FINALLY();
	{ free(json); }
	PG_END_TRY();
	PG_RETURN_DATUM(result);
}
