// gRPC status codes as they appear on the wire (GRPC.md §15).
#pragma once
#include "core/core_only.hpp"

#include <string_view>

namespace pgwatch_rpc::grpc {

enum class StatusCode : int {
	kOk = 0,
	kCancelled = 1,
	kUnknown = 2,
	kInvalidArgument = 3,
	kDeadlineExceeded = 4,
	kNotFound = 5,
	kAlreadyExists = 6,
	kPermissionDenied = 7,
	kResourceExhausted = 8,
	kFailedPrecondition = 9,
	kAborted = 10,
	kOutOfRange = 11,
	kUnimplemented = 12,
	kInternal = 13,
	kUnavailable = 14,
	kDataLoss = 15,
	kUnauthenticated = 16,
};

// StatusName gives the canonical upper-case name ("INVALID_ARGUMENT"), used in statistics.
std::string_view StatusName(StatusCode code);

} // namespace pgwatch_rpc::grpc
