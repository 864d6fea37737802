// Caller: one grpc++ channel to the server under test and unary calls on it with request
// bytes serialized by the caller, so what a test dumps is exactly what went on the wire.
#pragma once

#include "client_options.hpp"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

namespace pgwatch_rpc::interop {

struct CallResult {
	int code = 0;
	std::string message;
	std::string logmsg;
};

struct CallSettings {
	bool gzip = false;   // compress the request (grpc-encoding: gzip)
	int deadline_ms = 0; // 0 = none
};

class Caller {
public:
	// The constructor reads the CA file and exits with 1 if it cannot.
	explicit Caller(const ClientOptions &options);
	~Caller();
	Caller(const Caller &) = delete;
	Caller &operator=(const Caller &) = delete;

	// Call sends body to path ("/Receiver/…") and waits for the status and the Reply.
	CallResult Call(const std::string &path, const std::string &body, const CallSettings &settings);

private:
	const ClientOptions &options_;
	std::shared_ptr<grpc::Channel> channel_;
	std::unique_ptr<grpc::GenericStub> stub_;
	grpc::CompletionQueue queue_;
};

} // namespace pgwatch_rpc::interop
