// A fake target server of test/fakes/ (fake_elasticsearch.py, fake_splunk_hec.py) run by
// /usr/bin/python3 as a child process on a loopback port for the HTTP sinks' tests: started
// in the constructor (which waits for the port the fake prints), killed by PID in the
// destructor. Its /_fake/ endpoints are the test's controls and read-back.
#pragma once

#include "core/http/client.hpp"

#include <nlohmann/json.hpp>

#include <sys/types.h>

#include <string>
#include <vector>

namespace pgwatch_rpc::http_test {

class FakeServerProcess {
public:
	// script: a file name in test/fakes/; throws std::runtime_error if it does not start.
	FakeServerProcess(const std::string &script, const std::vector<std::string> &args);
	~FakeServerProcess();
	FakeServerProcess(const FakeServerProcess &) = delete;
	FakeServerProcess &operator=(const FakeServerProcess &) = delete;

	int port() const { return port_; }
	std::string Url(const std::string &path = "") const; // http://127.0.0.1:<port><path>

	// Get / Post call a control endpoint and return its JSON answer.
	nlohmann::json Get(const std::string &path);
	nlohmann::json Post(const std::string &path, const nlohmann::json &body);

private:
	pid_t pid_ = -1;
	int port_ = 0;
	http::HttpClient admin_;
};

} // namespace pgwatch_rpc::http_test
