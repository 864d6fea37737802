// The grpc++ client side of pgwatch's Receiver service, set up as pgwatch sets up its gRPC
// sink: one channel to HOST:PORT, TLS against the sslrootca file only (server name = HOST),
// `username`/`password` metadata on every call. Only `pgwatch-rpc send` uses it: the listener
// and the delivery children never touch grpc++ (it starts threads).
#pragma once

#include "pgwatch.grpc.pb.h"
#include "sender/sink_uri.hpp"

#include <memory>
#include <string>

namespace pgwatch_rpc::sender {

struct CallResult {
	int code = 0;        // gRPC status code, 0 = OK
	std::string message; // the status message when code != 0
	std::string logmsg;  // Reply.logmsg when code == 0
};

class ReceiverClient {
public:
	// Open builds the channel (no connection yet: grpc++ connects on the first call). Returns
	// nullptr and sets *error when the CA file cannot be read or is not PEM, or when the
	// credentials cannot travel as gRPC metadata.
	static std::unique_ptr<ReceiverClient> Open(const SinkUri &uri, int deadline_ms, std::string *error);

	CallResult UpdateMeasurements(const MeasurementEnvelope &envelope);
	CallResult SyncMetric(const std::string &dbname, const std::string &metric, SyncOp op);
	CallResult DefineMetrics(const google::protobuf::Struct &definitions);

private:
	ReceiverClient(const SinkUri &uri, int deadline_ms, std::shared_ptr<::grpc::Channel> channel);
	void Prepare(::grpc::ClientContext *context) const;
	static CallResult Result(const ::grpc::Status &status, const Reply &reply);

	SinkUri uri_;
	int deadline_ms_;
	std::shared_ptr<::grpc::Channel> channel_;
	std::unique_ptr<Receiver::Stub> stub_;
};

} // namespace pgwatch_rpc::sender
