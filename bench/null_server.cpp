// null_server: a gRPC++ Receiver server that answers OK at once to all three methods and
// stores nothing. The benchmark's baseline (what the transport alone costs) and a stand-in
// server for developing the interop clients. Not a product server: DESIGN.md §3.4 explains
// why the listener is not built on gRPC++.
//
//   null_server --port N [--address HOST] [--tls-cert FILE --tls-key FILE]
//               [--max-message-size BYTES]
//
// Prints "listening on PORT" on stdout once it accepts calls; SIGTERM or SIGINT stops it.
#include "pgwatch.grpc.pb.h"

#include "bench_flags.hpp"

#include <grpcpp/grpcpp.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

namespace pgwatch_rpc::bench {
namespace {

// Large enough for a table_stats envelope of a 10,000-table database (DESIGN.md §2).
constexpr int kDefaultMaxMessageSize = 64 * 1024 * 1024;

struct Options {
	int port = 0;
	std::string address = "localhost";
	std::string tls_cert;
	std::string tls_key;
	int max_message_size = kDefaultMaxMessageSize;
};

constexpr const char *kUsage =
    "usage: null_server --port N [--address HOST] [--tls-cert FILE --tls-key FILE]\n"
    "                   [--max-message-size BYTES]\n";

// ParseOptions reads argv; exits with the usage on anything it does not understand.
Options ParseOptions(int argc, char **argv) {
	Options o;
	ParseFlags(
	    argc, argv,
	    {
	        {"--port", [&](const std::string &v) { o.port = std::atoi(v.c_str()); }},
	        {"--address", [&](const std::string &v) { o.address = v; }},
	        {"--tls-cert", [&](const std::string &v) { o.tls_cert = v; }},
	        {"--tls-key", [&](const std::string &v) { o.tls_key = v; }},
	        {"--max-message-size", [&](const std::string &v) { o.max_message_size = std::atoi(v.c_str()); }},
	    },
	    kUsage);
	if (o.port <= 0 || o.port > 65535 || o.max_message_size <= 0 || o.tls_cert.empty() != o.tls_key.empty())
		ExitWithUsage(kUsage);
	return o;
}

std::string ReadFile(const std::string &path) {
	std::ifstream in(path, std::ios::binary);
	if (!in) {
		std::cerr << "null_server: cannot read " << path << "\n";
		std::exit(1);
	}
	std::ostringstream text;
	text << in.rdbuf();
	return text.str();
}

// NullReceiver answers every call from the gRPC thread that received it: the callback API
// needs no thread pool of its own, so the figures measure gRPC, not a handoff between threads.
class NullReceiver final : public Receiver::CallbackService {
	grpc::ServerUnaryReactor *UpdateMeasurements(grpc::CallbackServerContext *context,
	                                             const MeasurementEnvelope *, Reply *) override {
		return Ok(context);
	}
	grpc::ServerUnaryReactor *SyncMetric(grpc::CallbackServerContext *context, const SyncReq *,
	                                     Reply *) override {
		return Ok(context);
	}
	grpc::ServerUnaryReactor *DefineMetrics(grpc::CallbackServerContext *context,
	                                        const google::protobuf::Struct *, Reply *) override {
		return Ok(context);
	}

	static grpc::ServerUnaryReactor *Ok(grpc::CallbackServerContext *context) {
		grpc::ServerUnaryReactor *reactor = context->DefaultReactor();
		reactor->Finish(grpc::Status::OK);
		return reactor;
	}
};

int Run(const Options &o) {
	std::shared_ptr<grpc::ServerCredentials> credentials = grpc::InsecureServerCredentials();
	if (!o.tls_cert.empty()) {
		grpc::SslServerCredentialsOptions ssl;
		ssl.pem_key_cert_pairs.push_back({ReadFile(o.tls_key), ReadFile(o.tls_cert)});
		credentials = grpc::SslServerCredentials(ssl);
	}

	// Block the stop signals before gRPC starts its threads, so they inherit the mask and
	// only sigwait below sees SIGTERM/SIGINT: a clean Shutdown instead of dying mid-call.
	sigset_t stop_signals;
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

	NullReceiver service;
	grpc::ServerBuilder builder;
	int bound_port = 0;
	builder.AddListeningPort(o.address + ":" + std::to_string(o.port), credentials, &bound_port);
	builder.SetMaxReceiveMessageSize(o.max_message_size);
	builder.RegisterService(&service);
	std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
	if (!server || bound_port == 0) {
		std::cerr << "null_server: cannot listen on " << o.address << ":" << o.port << "\n";
		return 1;
	}
	std::cout << "listening on " << bound_port << (o.tls_cert.empty() ? " (plaintext)" : " (TLS)")
	          << std::endl;

	int signal_number = 0;
	sigwait(&stop_signals, &signal_number);
	server->Shutdown();
	return 0;
}

} // namespace
} // namespace pgwatch_rpc::bench

int main(int argc, char **argv) {
	return pgwatch_rpc::bench::Run(pgwatch_rpc::bench::ParseOptions(argc, argv));
}
