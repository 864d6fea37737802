// grpc++ channel and unary calls of the sender (see receiver_client.hpp). Names from grpc++
// are written ::grpc:: because pgwatch_rpc::grpc is our own wire-level namespace.
#include "sender/receiver_client.hpp"

#include <grpcpp/grpcpp.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>

namespace pgwatch_rpc::sender {

namespace {

bool ReadWholeFile(const std::string &path, std::string *out, std::string *error) {
	std::ifstream in(path, std::ios::binary);
	if (!in) {
		*error = "cannot read the CA file " + path + " (sslrootca): " + std::strerror(errno);
		return false;
	}
	std::ostringstream text;
	text << in.rdbuf();
	*out = text.str();
	return true;
}

// PrintableAscii: grpc++ accepts only these bytes in the value of a text metadata entry.
bool PrintableAscii(const std::string &s) {
	for (unsigned char c : s)
		if (c < 0x20 || c > 0x7e)
			return false;
	return true;
}

} // namespace

std::unique_ptr<ReceiverClient> ReceiverClient::Open(const SinkUri &uri, int deadline_ms,
                                                     std::string *error) {
	if (!PrintableAscii(uri.username) || !PrintableAscii(uri.password)) {
		*error = "the key name and secret in the sink URI must be printable ASCII once %-decoded "
		         "(they travel as gRPC metadata)";
		return nullptr;
	}
	::grpc::ChannelArguments args;
	// pgwatch (grpc-go) puts no limit on what it sends (DESIGN.md §2); neither do we.
	args.SetMaxSendMessageSize(-1);
	std::shared_ptr<::grpc::ChannelCredentials> credentials;
	if (uri.tls) {
		::grpc::SslCredentialsOptions ssl;
		if (!ReadWholeFile(uri.ca_file, &ssl.pem_root_certs, error))
			return nullptr;
		// pgwatch refuses a CA file without certificates ("invalid CA file"); so do we.
		if (ssl.pem_root_certs.find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
			*error = "the CA file " + uri.ca_file + " (sslrootca) holds no PEM certificate";
			return nullptr;
		}
		// No target-name override: grpc++ verifies the certificate against HOST of the
		// target, as grpc-go does for pgwatch.
		credentials = ::grpc::SslCredentials(ssl);
	} else {
		credentials = ::grpc::InsecureChannelCredentials();
	}
	std::shared_ptr<::grpc::Channel> channel = ::grpc::CreateCustomChannel(uri.target, credentials, args);
	return std::unique_ptr<ReceiverClient>(new ReceiverClient(uri, deadline_ms, std::move(channel)));
}

ReceiverClient::ReceiverClient(const SinkUri &uri, int deadline_ms, std::shared_ptr<::grpc::Channel> channel)
    : uri_(uri), deadline_ms_(deadline_ms), channel_(std::move(channel)), stub_(Receiver::NewStub(channel_)) {
}

void ReceiverClient::Prepare(::grpc::ClientContext *context) const {
	context->AddMetadata("username", uri_.username);
	context->AddMetadata("password", uri_.password);
	context->set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(deadline_ms_));
}

CallResult ReceiverClient::Result(const ::grpc::Status &status, const Reply &reply) {
	CallResult result;
	result.code = static_cast<int>(status.error_code());
	if (status.ok())
		result.logmsg = reply.logmsg();
	else
		result.message = status.error_message();
	return result;
}

CallResult ReceiverClient::UpdateMeasurements(const MeasurementEnvelope &envelope) {
	::grpc::ClientContext context;
	Prepare(&context);
	Reply reply;
	return Result(stub_->UpdateMeasurements(&context, envelope, &reply), reply);
}

CallResult ReceiverClient::SyncMetric(const std::string &dbname, const std::string &metric, SyncOp op) {
	::grpc::ClientContext context;
	Prepare(&context);
	SyncReq request;
	request.set_dbname(dbname);
	request.set_metricname(metric);
	request.set_operation(op);
	Reply reply;
	return Result(stub_->SyncMetric(&context, request, &reply), reply);
}

CallResult ReceiverClient::DefineMetrics(const google::protobuf::Struct &definitions) {
	::grpc::ClientContext context;
	Prepare(&context);
	Reply reply;
	return Result(stub_->DefineMetrics(&context, definitions, &reply), reply);
}

} // namespace pgwatch_rpc::sender
