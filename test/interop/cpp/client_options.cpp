// Parses interop_client's command line into ClientOptions and rejects inconsistent flags
// early, so a test that misuses the client fails loudly instead of testing nothing.
#include "client_options.hpp"

#include <cstdlib>
#include <iostream>
#include <set>

namespace pgwatch_rpc::interop {

namespace {

const std::set<std::string> kScenarios = {"measurements", "sync",  "define", "raw",     "oversized",
                                          "deep",         "names", "gzip",   "deadline"};

[[noreturn]] void Usage(const std::string &problem) {
	std::cerr
	    << "interop_client: " << problem << "\n"
	    << "usage: interop_client --target HOST:PORT\n"
	       "         (--ca FILE [--server-name NAME] [--cert FILE --key FILE] | --plaintext)\n"
	       "         (--user U --password P | --no-metadata) --scenario NAME\n"
	       "         [--count N] [--rows N] [--dbname X] [--metric Y] [--seed S] [--epoch-ns NS]\n"
	       "         [--dump FILE] [--deadline-ms MS]\n"
	       "  scenarios: measurements, sync, define, gzip, deadline,\n"
	       "             raw --method M --payload-hex HEX, oversized --bytes N, deep --depth N, names\n";
	std::exit(2);
}

long long Number(const std::string &flag, const std::string &value, long long min) {
	char *end = nullptr;
	long long n = std::strtoll(value.c_str(), &end, 10);
	if (value.empty() || *end != '\0' || n < min)
		Usage(flag + " needs an integer >= " + std::to_string(min) + ", not '" + value + "'");
	return n;
}

} // namespace

ClientOptions ParseClientOptions(int argc, char **argv) {
	ClientOptions o;
	bool have_user = false, have_password = false;
	for (int i = 1; i < argc; i++) {
		std::string flag = argv[i];
		if (flag == "--plaintext") {
			o.plaintext = true;
			continue;
		}
		if (flag == "--no-metadata") {
			o.send_metadata = false;
			continue;
		}
		if (i + 1 >= argc)
			Usage(flag + " needs a value");
		std::string value = argv[++i];
		if (flag == "--target")
			o.target = value;
		else if (flag == "--ca")
			o.ca_file = value;
		else if (flag == "--server-name")
			o.server_name = value;
		else if (flag == "--cert")
			o.cert_file = value;
		else if (flag == "--key")
			o.key_file = value;
		else if (flag == "--user")
			o.user = value, have_user = true;
		else if (flag == "--password")
			o.password = value, have_password = true;
		else if (flag == "--scenario")
			o.scenario = value;
		else if (flag == "--count")
			o.count = static_cast<int>(Number(flag, value, 0));
		else if (flag == "--rows")
			o.rows = static_cast<int>(Number(flag, value, 0));
		else if (flag == "--dbname")
			o.dbname = value;
		else if (flag == "--metric")
			o.metric = value;
		else if (flag == "--seed")
			o.seed = static_cast<uint64_t>(Number(flag, value, 0));
		else if (flag == "--epoch-ns")
			o.epoch_ns = static_cast<double>(Number(flag, value, 0));
		else if (flag == "--dump")
			o.dump_file = value;
		else if (flag == "--method")
			o.method = value;
		else if (flag == "--payload-hex")
			o.payload_hex = value;
		else if (flag == "--bytes")
			o.bytes = static_cast<size_t>(Number(flag, value, 1));
		else if (flag == "--depth")
			o.depth = static_cast<int>(Number(flag, value, 1));
		else if (flag == "--deadline-ms")
			o.deadline_ms = static_cast<int>(Number(flag, value, 1));
		else
			Usage("unknown flag " + flag);
	}
	if (o.target.empty())
		Usage("--target is required");
	if (o.plaintext == !o.ca_file.empty())
		Usage("give exactly one of --ca FILE and --plaintext");
	if (o.cert_file.empty() != o.key_file.empty())
		Usage("--cert and --key go together");
	if (o.plaintext && !o.cert_file.empty())
		Usage("--cert and --key need TLS (--ca), not --plaintext");
	if (o.send_metadata && !(have_user && have_password))
		Usage("give --user and --password (either may be empty), or --no-metadata");
	if (!o.send_metadata && (have_user || have_password))
		Usage("--no-metadata excludes --user and --password");
	if (!kScenarios.count(o.scenario))
		Usage("unknown scenario '" + o.scenario + "'");
	if (o.scenario == "raw" && o.method.empty())
		Usage("scenario raw needs --method");
	if (o.scenario == "oversized" && o.bytes == 0)
		Usage("scenario oversized needs --bytes");
	if (o.scenario == "deep" && o.depth == 0)
		Usage("scenario deep needs --depth");
	if (o.scenario == "deadline" && o.deadline_ms == 0)
		o.deadline_ms = 1;
	return o;
}

} // namespace pgwatch_rpc::interop
