// interop_client: a grpc++ client of pgwatch's Receiver service for the TAP tests
// (GRPC.md §16). Prints one JSON line per call and exits 0 whatever the server answered;
// the tests assert on the printed codes. Usage: see client_options.cpp.
#include "caller.hpp"
#include "client_options.hpp"
#include "scenarios.hpp"

int main(int argc, char **argv) {
	using namespace pgwatch_rpc::interop;
	ClientOptions options = ParseClientOptions(argc, argv);
	Caller caller(options);
	return RunScenario(options, caller);
}
