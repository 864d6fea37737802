// The outcome of one step of request processing: a gRPC status code and, when it is not
// OK, the message for the client (plain UTF-8; the listener percent-encodes it, GRPC.md §9).
#pragma once
#include "core/core_only.hpp"
#include "core/grpc/status.hpp"

#include <string>

namespace pgwatch_rpc::grpc {

struct CallStatus {
	StatusCode code = StatusCode::kOk;
	std::string message;
	bool ok() const { return code == StatusCode::kOk; }
};

} // namespace pgwatch_rpc::grpc
