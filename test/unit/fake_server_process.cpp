// Fake target servers as child processes (fake_server_process.hpp).
#include "fake_server_process.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>

namespace pgwatch_rpc::http_test {
namespace {

constexpr int kStartTimeoutMs = 15000;

// FakesDirectory: test/fakes next to this file's directory (test/unit).
std::string FakesDirectory() {
	std::string here = __FILE__;
	return here.substr(0, here.rfind('/')) + "/../fakes";
}

http::ClientOptions AdminOptions() {
	http::ClientOptions options;
	options.proxy_mode = http::ProxyMode::kNone;
	options.timeout_ms = 10'000;
	return options;
}

} // namespace

FakeServerProcess::FakeServerProcess(const std::string &script, const std::vector<std::string> &args)
    : admin_(AdminOptions()) {
	std::string path = FakesDirectory() + "/" + script;
	std::vector<std::string> argv_strings = {"/usr/bin/python3", path};
	argv_strings.insert(argv_strings.end(), args.begin(), args.end());
	std::vector<char *> argv;
	for (std::string &s : argv_strings)
		argv.push_back(s.data());
	argv.push_back(nullptr);

	int out[2];
	if (pipe(out) != 0)
		throw std::runtime_error("pipe failed");
	pid_ = fork();
	if (pid_ < 0)
		throw std::runtime_error("fork failed");
	if (pid_ == 0) {
		dup2(out[1], STDOUT_FILENO);
		close(out[0]);
		close(out[1]);
		execv(argv[0], argv.data());
		_exit(127);
	}
	close(out[1]);
	std::string line;
	char c;
	pollfd pfd{out[0], POLLIN, 0};
	while (line.find('\n') == std::string::npos && poll(&pfd, 1, kStartTimeoutMs) == 1 &&
	       read(out[0], &c, 1) == 1)
		line.push_back(c);
	close(out[0]);
	port_ = line.empty() ? 0 : std::atoi(line.c_str());
	if (port_ <= 0) {
		kill(pid_, SIGKILL);
		waitpid(pid_, nullptr, 0);
		throw std::runtime_error("fake server " + script + " did not start (printed \"" + line + "\")");
	}
}

FakeServerProcess::~FakeServerProcess() {
	if (pid_ > 0) {
		kill(pid_, SIGKILL);
		waitpid(pid_, nullptr, 0);
	}
}

std::string FakeServerProcess::Url(const std::string &path) const {
	return "http://127.0.0.1:" + std::to_string(port_) + path;
}

nlohmann::json FakeServerProcess::Get(const std::string &path) {
	http::Request request;
	request.method = "GET";
	request.url = Url(path);
	http::Response response = admin_.Send(request);
	if (response.status != 200)
		throw std::runtime_error("GET " + path + " from the fake failed: " + response.error + response.body);
	return nlohmann::json::parse(response.body);
}

nlohmann::json FakeServerProcess::Post(const std::string &path, const nlohmann::json &body) {
	std::string text = body.dump();
	http::Request request;
	request.url = Url(path);
	request.body = text;
	request.headers = {{"Content-Type", "application/json"}};
	http::Response response = admin_.Send(request);
	if (response.status != 200)
		throw std::runtime_error("POST " + path + " to the fake failed: " + response.error + response.body);
	return nlohmann::json::parse(response.body);
}

} // namespace pgwatch_rpc::http_test
