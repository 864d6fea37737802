// Which Receiver method a request calls (":path", GRPC.md §5.3) and whether its
// content-type is gRPC with the protobuf codec (§5.2).
#pragma once
#include "core/core_only.hpp"

#include <string>
#include <string_view>

namespace pgwatch_rpc::grpc {

enum class Method { kUnknown, kUpdateMeasurements, kSyncMetric, kDefineMetrics };

// ParseMethodPath maps "/Receiver/UpdateMeasurements" etc. (exact, case-sensitive; the
// .proto has no package) to a method; anything else is kUnknown.
Method ParseMethodPath(std::string_view path);

// MethodName: "UpdateMeasurements", "SyncMetric", "DefineMetrics", "unknown".
std::string_view MethodName(Method method);

// UnknownMethodMessage is the UNIMPLEMENTED message for a path ParseMethodPath refused,
// worded as grpc-go does: "unknown service X" / "unknown method Y for service Receiver"
// / "malformed method name: ...". Untrusted parts are quoted and truncated.
std::string UnknownMethodMessage(std::string_view path);

enum class ContentTypeCheck {
	kGrpcProto,        // application/grpc or application/grpc+proto, optional ;params
	kUnsupportedCodec, // application/grpc+json etc.: reply UNIMPLEMENTED
	kNotGrpc,          // anything else: reply HTTP 415
};

// CheckContentType classifies a content-type value. *plus_proto (may be null) is set when
// the client used "+proto", so the response can echo it.
ContentTypeCheck CheckContentType(std::string_view content_type, bool *plus_proto);

} // namespace pgwatch_rpc::grpc
