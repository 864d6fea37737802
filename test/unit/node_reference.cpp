// Reference scripts of test/interop/node (node_reference.hpp).
#include "node_reference.hpp"

#include "pgwatch.pb.h"

#include <google/protobuf/util/json_util.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <stdexcept>

namespace pgwatch_rpc::node_test {
namespace {

std::string NodeDirectory() {
	std::string here = __FILE__;
	return here.substr(0, here.rfind('/')) + "/../interop/node";
}

} // namespace

bool NodeModuleInstalled(const std::string &module) {
	struct stat st;
	return stat((NodeDirectory() + "/node_modules/" + module).c_str(), &st) == 0;
}

int RunNodeScript(const std::string &script, const std::vector<std::string> &args,
                  const nlohmann::json &input, std::string *output) {
	std::string file = "/tmp/node_reference_input_" + std::to_string(getpid()) + ".json";
	std::ofstream(file) << input.dump();
	std::string command = "node " + NodeDirectory() + "/" + script;
	for (const std::string &arg : args)
		command += " " + arg;
	command += " " + file + " 2>&1";
	FILE *pipe = popen(command.c_str(), "r");
	if (pipe == nullptr) {
		std::remove(file.c_str());
		throw std::runtime_error("cannot run " + command);
	}
	char buf[4096];
	while (size_t n = fread(buf, 1, sizeof buf, pipe))
		output->append(buf, n);
	int status = pclose(pipe);
	std::remove(file.c_str());
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

nlohmann::json RecordsInput(const sink::Batch &batch) {
	nlohmann::json records = nlohmann::json::array();
	for (const sink::Record &r : batch.records) {
		MeasurementEnvelope envelope;
		std::string text;
		if (!envelope.ParseFromString(r.payload) ||
		    !google::protobuf::util::MessageToJsonString(envelope, &text).ok())
			throw std::runtime_error("record " + std::to_string(r.seq) + " is no MeasurementEnvelope");
		records.push_back(
		    {{"listener_id", r.listener_id}, {"seq", r.seq}, {"envelope", nlohmann::json::parse(text)}});
	}
	return records;
}

} // namespace pgwatch_rpc::node_test
