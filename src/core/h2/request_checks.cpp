// Header recording, header validation and call validation (see request_checks.hpp).
#include "core/h2/request_checks.hpp"

#include "core/auth/key_cache.hpp"
#include "core/grpc/metadata.hpp"
#include "core/wire/envelope_scan.hpp"

namespace pgwatch_rpc::h2 {
namespace {
using grpc::StatusCode;

// Scan results map to INTERNAL for undecodable bytes, INVALID_ARGUMENT for rule violations.
CallVerdict FromScan(const wire::ScanResult &result) {
	CallVerdict verdict;
	if (result.status == wire::ScanStatus::kMalformed) {
		verdict.code = StatusCode::kInternal;
		verdict.message = "error parsing request: " + result.message;
	} else {
		verdict.code = StatusCode::kInvalidArgument;
		verdict.message = result.message;
	}
	return verdict;
}

bool SourceAllowed(const Stream &stream, std::string_view dbname) {
	auth::KeyEntry key;
	key.source_patterns = stream.key_sources;
	return auth::KeyCache::SourceAllowed(key, dbname);
}

CallVerdict Denied(const Stream &stream, std::string_view dbname) {
	CallVerdict verdict;
	verdict.code = StatusCode::kPermissionDenied;
	verdict.message = "key \"" + stream.key_name + "\" may not write source \"" + std::string(dbname) +
	                  "\": see the key's sources in rpc_keys";
	return verdict;
}
} // namespace

const char *const kUnauthenticatedMessage =
    "authentication failed: send a valid key name and secret as metadata username and password "
    "(pgwatch: grpc://KEYNAME:SECRET@host:port)";

void RecordHeader(Stream *stream, std::string_view name, std::string_view value) {
	if (name == ":method")
		stream->method = value;
	else if (name == ":path")
		stream->path = value;
	else if (name == "content-type")
		stream->content_type = value;
	else if (name == "grpc-timeout") {
		stream->grpc_timeout = value;
		stream->has_grpc_timeout = true;
	} else if (name == "grpc-encoding")
		stream->grpc_encoding = value;
	else if (name == "username" || name == "password") {
		// GRPC.md §7: an empty value is present, not absent; an invalid (non-printable) value
		// is dropped, which then fails authentication as "missing".
		std::string_view clean;
		if (!grpc::SanitizeAsciiValue(value, &clean))
			return;
		(name == "username" ? stream->usernames : stream->passwords).emplace_back(clean);
	}
}

HeaderVerdict CheckRequestHeaders(const Stream &stream) {
	HeaderVerdict verdict;
	if (stream.method != "POST") {
		verdict.http_status = 405;
		return verdict;
	}
	// GRPC.md §5 step 2: application/grpc or application/grpc+proto, optionally ";params".
	switch (grpc::CheckContentType(stream.content_type, &verdict.proto_suffix)) {
	case grpc::ContentTypeCheck::kNotGrpc:
		verdict.http_status = 415;
		return verdict;
	case grpc::ContentTypeCheck::kUnsupportedCodec:
		verdict.code = StatusCode::kUnimplemented;
		verdict.message = "unsupported content-type \"" + stream.content_type.substr(0, 100) +
		                  "\": only protobuf is served";
		return verdict;
	case grpc::ContentTypeCheck::kGrpcProto:
		break;
	}
	// GRPC.md §5 step 3: /Service/Method, exact and case-sensitive.
	verdict.method = grpc::ParseMethodPath(stream.path);
	if (verdict.method == Method::kUnknown) {
		verdict.code = StatusCode::kUnimplemented;
		verdict.message = grpc::UnknownMethodMessage(stream.path);
	}
	return verdict;
}

CallVerdict CheckCall(const Stream &stream, const std::string &message, const wire::Limits &limits) {
	const uint8_t *data = reinterpret_cast<const uint8_t *>(message.data());
	if (stream.unauthenticated) {
		CallVerdict verdict;
		if (stream.call == Method::kSyncMetric && message.empty())
			return verdict; // the connect probe: OK, nothing stored
		verdict.unauthenticated = true;
		return verdict;
	}
	switch (stream.call) {
	case Method::kUpdateMeasurements: {
		wire::EnvelopeSummary summary;
		wire::ScanResult result = wire::ScanMeasurementEnvelope(data, message.size(), limits, &summary);
		if (!result.ok())
			return FromScan(result);
		if (!SourceAllowed(stream, summary.dbname))
			return Denied(stream, summary.dbname);
		CallVerdict verdict;
		verdict.store = true;
		verdict.record.kind = "measurement";
		verdict.record.dbname = summary.dbname;
		verdict.record.metric = summary.metric;
		verdict.record.nrows = static_cast<int32_t>(summary.nrows);
		verdict.record.key_name = stream.key_name;
		return verdict;
	}
	case Method::kSyncMetric: {
		wire::SyncSummary summary;
		wire::ScanResult result = wire::ScanSyncReq(data, message.size(), limits, &summary);
		if (!result.ok())
			return FromScan(result);
		CallVerdict verdict;
		if (summary.op == wire::SyncOp::kInvalid)
			return verdict; // the connect probe: OK without touching the database
		if (!SourceAllowed(stream, summary.dbname))
			return Denied(stream, summary.dbname);
		verdict.store = true;
		verdict.record.kind = "sync";
		verdict.record.dbname = summary.dbname;
		verdict.record.metric = summary.metric;
		verdict.record.key_name = stream.key_name;
		return verdict;
	}
	case Method::kUnknown:
		break;
	case Method::kDefineMetrics: {
		wire::ScanResult result = wire::ScanStruct(data, message.size(), limits);
		if (!result.ok())
			return FromScan(result);
		CallVerdict verdict;
		verdict.store = true;
		verdict.record.kind = "define";
		verdict.record.key_name = stream.key_name;
		return verdict;
	}
	}
	return CallVerdict{};
}

} // namespace pgwatch_rpc::h2
