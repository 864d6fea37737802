#include "core/sink/registry.hpp"

#include "core/delivery/delivery_config.hpp"
#include "sinks/elastic/elastic_kind.hpp"
#include "sinks/file/file_kind.hpp"
#include "sinks/postgres/postgres_kind.hpp"
#include "sinks/splunk/splunk_kind.hpp"
#include "sinks/webhook/webhook_kind.hpp"

#include <algorithm>

namespace pgwatch_rpc::sink {
namespace {

// Every kind the hub knows. Adding a sink: add its kind here and its factory in
// core/delivery/sink_factory.cpp (docs/writing-a-sink.md).
const SinkKind *const *Kinds(size_t *count) {
	static const sinks::PostgresKind postgres;
	static const sinks::WebhookKind webhook;
	static const sinks::FileKind file;
	static const sinks::ElasticKind elastic;
	static const sinks::SplunkKind splunk;
	static const SinkKind *const kinds[] = {&postgres, &webhook, &file, &elastic, &splunk};
	*count = sizeof kinds / sizeof kinds[0];
	return kinds;
}

} // namespace

const SinkKind *FindKind(std::string_view name) {
	size_t count;
	const SinkKind *const *kinds = Kinds(&count);
	for (size_t i = 0; i < count; i++)
		if (kinds[i]->Name() == name)
			return kinds[i];
	return nullptr;
}

std::vector<std::string> KindNames() {
	size_t count;
	const SinkKind *const *kinds = Kinds(&count);
	std::vector<std::string> names;
	for (size_t i = 0; i < count; i++)
		names.emplace_back(kinds[i]->Name());
	std::sort(names.begin(), names.end());
	return names;
}

std::vector<ConfigProblem> ValidateSinkConfig(std::string_view kind_name, std::string_view config_json,
                                              std::string_view secrets_json) {
	std::vector<ConfigProblem> problems;
	const SinkKind *kind = FindKind(kind_name);
	if (kind == nullptr) {
		std::string known;
		for (const std::string &name : KindNames())
			known += (known.empty() ? "" : ", ") + name;
		problems.push_back({"kind", "unknown sink kind \"" + std::string(kind_name) + "\"; known kinds: " + known});
		return problems;
	}
	nlohmann::json config = nlohmann::json::parse(config_json, nullptr, false);
	nlohmann::json secrets = nlohmann::json::parse(secrets_json, nullptr, false);
	if (!config.is_object())
		problems.push_back({"config", "must be a JSON object"});
	if (!secrets.is_object())
		problems.push_back({"secrets", "must be a JSON object"});
	if (!problems.empty())
		return problems;
	delivery::DeliveryConfig engine;
	delivery::ParseDeliveryConfig(config, &engine, &problems);
	for (ConfigProblem &problem : kind->Validate(config, secrets))
		problems.push_back(std::move(problem));
	return problems;
}

std::string FormatProblems(const std::vector<ConfigProblem> &problems) {
	std::string text;
	for (const ConfigProblem &problem : problems) {
		if (!text.empty())
			text += "; ";
		text += problem.key + ": " + problem.reason;
	}
	return text;
}

} // namespace pgwatch_rpc::sink
