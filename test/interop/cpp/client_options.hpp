// Command line of interop_client: what to connect to, how to authenticate, which scenario.
#pragma once

#include <cstdint>
#include <string>

namespace pgwatch_rpc::interop {

struct ClientOptions {
	std::string target;
	std::string ca_file;
	std::string server_name; // overrides the host name verified in the certificate
	std::string cert_file;   // client certificate (PEM), for a listener with ssl_ca_file
	std::string key_file;    // its private key (PEM)
	bool plaintext = false;
	std::string user;
	std::string password;
	bool send_metadata = true;
	std::string scenario;
	int count = 1;
	int rows = 3;
	std::string dbname = "interop_db";
	std::string metric = "interop_metric";
	uint64_t seed = 1;
	double epoch_ns = 1.7e18; // deterministic by default, so a test can re-create the rows
	std::string dump_file;
	std::string method;      // scenario raw: full path or bare method name
	std::string payload_hex; // scenario raw: the request body
	size_t bytes = 0;        // scenario oversized: serialized envelope size
	int depth = 0;           // scenario deep: Struct nesting (a row is depth 1)
	int deadline_ms = 0;     // 0 = no deadline, as pgwatch sends
};

// ParseClientOptions parses argv; on a usage error it prints the usage and exits with 2.
ClientOptions ParseClientOptions(int argc, char **argv);

} // namespace pgwatch_rpc::interop
