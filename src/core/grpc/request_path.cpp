// Method routing and content-type checks (see request_path.hpp).
#include "core/grpc/request_path.hpp"
#include "core/text/ascii.hpp"

#include "core/wire/message_text.hpp"

namespace pgwatch_rpc::grpc {

namespace {

constexpr std::string_view kService = "Receiver";

char Lower(char c) {
	return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
	if (a.size() != b.size())
		return false;
	for (size_t i = 0; i < a.size(); i++)
		if (Lower(a[i]) != Lower(b[i]))
			return false;
	return true;
}

} // namespace

Method ParseMethodPath(std::string_view path) {
	if (path == "/Receiver/UpdateMeasurements")
		return Method::kUpdateMeasurements;
	if (path == "/Receiver/SyncMetric")
		return Method::kSyncMetric;
	if (path == "/Receiver/DefineMetrics")
		return Method::kDefineMetrics;
	return Method::kUnknown;
}

std::string_view MethodName(Method method) {
	switch (method) {
	case Method::kUpdateMeasurements:
		return "UpdateMeasurements";
	case Method::kSyncMetric:
		return "SyncMetric";
	case Method::kDefineMetrics:
		return "DefineMetrics";
	case Method::kUnknown:
		break;
	}
	return "unknown";
}

std::string UnknownMethodMessage(std::string_view path) {
	size_t slash = path.size() > 1 ? path.find('/', 1) : std::string_view::npos;
	if (path.empty() || path.front() != '/' || slash == std::string_view::npos)
		return "malformed method name: " + wire::Quoted(path);
	std::string_view service = path.substr(1, slash - 1);
	std::string_view method = path.substr(slash + 1);
	if (service != kService)
		return "unknown service " + wire::Quoted(service) + " (this server implements Receiver)";
	return "unknown method " + wire::Quoted(method) +
	       " for service Receiver (known: UpdateMeasurements, SyncMetric, DefineMetrics)";
}

ContentTypeCheck CheckContentType(std::string_view content_type, bool *plus_proto) {
	static constexpr std::string_view kBase = "application/grpc";
	if (plus_proto != nullptr)
		*plus_proto = false;
	std::string_view type = text::TrimBlanks(content_type.substr(0, content_type.find(';')));
	if (type.size() < kBase.size() || !EqualsIgnoreCase(type.substr(0, kBase.size()), kBase))
		return ContentTypeCheck::kNotGrpc;
	std::string_view rest = type.substr(kBase.size());
	if (rest.empty())
		return ContentTypeCheck::kGrpcProto;
	if (rest.front() != '+')
		return ContentTypeCheck::kNotGrpc; // e.g. application/grpcfoo
	std::string_view codec = rest.substr(1);
	if (codec.empty())
		return ContentTypeCheck::kGrpcProto; // "application/grpc+" means the default codec, as in grpc-go
	if (!EqualsIgnoreCase(codec, "proto"))
		return ContentTypeCheck::kUnsupportedCodec;
	if (plus_proto != nullptr)
		*plus_proto = true;
	return ContentTypeCheck::kGrpcProto;
}

} // namespace pgwatch_rpc::grpc
