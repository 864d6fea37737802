// Canonical names of gRPC status codes (grpc doc/statuscodes.md), for statistics and logs.
#include "core/grpc/status.hpp"

namespace pgwatch_rpc::grpc {

std::string_view StatusName(StatusCode code) {
	switch (code) {
	case StatusCode::kOk:
		return "OK";
	case StatusCode::kCancelled:
		return "CANCELLED";
	case StatusCode::kUnknown:
		return "UNKNOWN";
	case StatusCode::kInvalidArgument:
		return "INVALID_ARGUMENT";
	case StatusCode::kDeadlineExceeded:
		return "DEADLINE_EXCEEDED";
	case StatusCode::kNotFound:
		return "NOT_FOUND";
	case StatusCode::kAlreadyExists:
		return "ALREADY_EXISTS";
	case StatusCode::kPermissionDenied:
		return "PERMISSION_DENIED";
	case StatusCode::kResourceExhausted:
		return "RESOURCE_EXHAUSTED";
	case StatusCode::kFailedPrecondition:
		return "FAILED_PRECONDITION";
	case StatusCode::kAborted:
		return "ABORTED";
	case StatusCode::kOutOfRange:
		return "OUT_OF_RANGE";
	case StatusCode::kUnimplemented:
		return "UNIMPLEMENTED";
	case StatusCode::kInternal:
		return "INTERNAL";
	case StatusCode::kUnavailable:
		return "UNAVAILABLE";
	case StatusCode::kDataLoss:
		return "DATA_LOSS";
	case StatusCode::kUnauthenticated:
		return "UNAUTHENTICATED";
	}
	return "UNKNOWN";
}

} // namespace pgwatch_rpc::grpc
