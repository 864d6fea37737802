// Channel setup (TLS against the CA file and the target's host name, optionally with a
// client certificate, or plaintext h2c) and one blocking unary call through the generic
// stub, with pgwatch's metadata.
#include "caller.hpp"

#include "pgwatch.pb.h"

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

namespace pgwatch_rpc::interop {

namespace {

std::string ReadFile(const std::string &path) {
	std::ifstream in(path, std::ios::binary);
	if (!in) {
		std::cerr << "interop_client: cannot read " << path << "\n";
		std::exit(1);
	}
	std::ostringstream text;
	text << in.rdbuf();
	return text.str();
}

std::shared_ptr<grpc::Channel> MakeChannel(const ClientOptions &o) {
	grpc::ChannelArguments args;
	// Replies are tiny; requests have no client-side limit, as with grpc-go (DESIGN.md §2).
	args.SetMaxSendMessageSize(-1);
	std::shared_ptr<grpc::ChannelCredentials> credentials;
	if (o.plaintext) {
		credentials = grpc::InsecureChannelCredentials();
	} else {
		grpc::SslCredentialsOptions ssl;
		ssl.pem_root_certs = ReadFile(o.ca_file);
		if (!o.cert_file.empty()) {
			ssl.pem_cert_chain = ReadFile(o.cert_file);
			ssl.pem_private_key = ReadFile(o.key_file);
		}
		credentials = grpc::SslCredentials(ssl);
		if (!o.server_name.empty())
			args.SetSslTargetNameOverride(o.server_name);
	}
	return grpc::CreateCustomChannel(o.target, credentials, args);
}

} // namespace

Caller::Caller(const ClientOptions &options)
    : options_(options), channel_(MakeChannel(options)),
      stub_(std::make_unique<grpc::GenericStub>(channel_)) {}

Caller::~Caller() {
	queue_.Shutdown();
	void *tag;
	bool ok;
	while (queue_.Next(&tag, &ok)) {
	}
}

CallResult Caller::Call(const std::string &path, const std::string &body, const CallSettings &settings) {
	grpc::ClientContext context;
	if (options_.send_metadata) {
		context.AddMetadata("username", options_.user);
		context.AddMetadata("password", options_.password);
	}
	if (settings.deadline_ms > 0)
		context.set_deadline(std::chrono::system_clock::now() +
		                     std::chrono::milliseconds(settings.deadline_ms));
	if (settings.gzip)
		context.set_compression_algorithm(GRPC_COMPRESS_GZIP);

	grpc::Slice slice(body);
	grpc::ByteBuffer request(&slice, 1);
	grpc::ByteBuffer response;
	grpc::Status status;
	std::unique_ptr<grpc::GenericClientAsyncResponseReader> call =
	    stub_->PrepareUnaryCall(&context, path, request, &queue_);
	call->StartCall();
	call->Finish(&response, &status, &context);
	void *tag = nullptr;
	bool ok = false;
	// Exactly one event is pending on the queue: this call's Finish.
	queue_.Next(&tag, &ok);

	CallResult result;
	result.code = static_cast<int>(status.error_code());
	result.message = status.error_message();
	if (status.ok()) {
		std::vector<grpc::Slice> slices;
		std::string bytes;
		if (response.Dump(&slices).ok())
			for (const grpc::Slice &s : slices)
				bytes.append(reinterpret_cast<const char *>(s.begin()), s.size());
		Reply reply;
		if (reply.ParseFromString(bytes))
			result.logmsg = reply.logmsg();
		else
			result.message = "the server's Reply does not parse";
	}
	return result;
}

} // namespace pgwatch_rpc::interop
