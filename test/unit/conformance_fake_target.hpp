// FakeTarget: the conformance Target of a sink tested against a fake of test/fakes/. Every
// fake there takes the same controls (/_fake/mode {"down": bool} answers 503 while down,
// {"refuse_metric": name} refuses that metric's rows), so a harness only says how to start
// its fake, how to configure the sink for it and where the fake lists what it stored.
#pragma once
#include "conformance_kit.hpp"
#include "fake_server_process.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace pgwatch_rpc::conformance {

class FakeTarget : public Target {
public:
	FakeTarget(const std::string &script, const std::vector<std::string> &args) : fake_(script, args) {}

	void SetReachable(bool reachable) override { fake_.Post("/_fake/mode", {{"down", !reachable}}); }
	bool RefuseMetric(const std::string &metric) override {
		fake_.Post("/_fake/mode", {{"refuse_metric", metric}});
		return true;
	}

protected:
	// StoredStrings: the string at `id` in each element of the list at `list` of the fake's
	// answer to GET `path` (JSON pointers; "" is the whole answer).
	std::vector<std::string> StoredStrings(const std::string &path, const std::string &list,
	                                       const std::string &id) {
		std::vector<std::string> values;
		nlohmann::json answer = fake_.Get(path);
		for (const nlohmann::json &element : answer.at(nlohmann::json::json_pointer(list)))
			values.push_back(element.at(nlohmann::json::json_pointer(id)).get<std::string>());
		return values;
	}

	http_test::FakeServerProcess fake_;
};

} // namespace pgwatch_rpc::conformance
