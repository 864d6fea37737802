// Sink factories by kind (see sink_factory.hpp). Adding a kind: one line here and one in
// core/sink/registry.cpp.
#include "core/delivery/sink_factory.hpp"

#include "core/sink/registry.hpp"
#include "sinks/elastic/elastic_sink.hpp"
#include "sinks/file/file_sink.hpp"
#include "sinks/postgres/postgres_sink.hpp"
#include "sinks/splunk/splunk_sink.hpp"
#include "sinks/webhook/webhook_sink.hpp"

#include <stdexcept>
#include <string>

namespace pgwatch_rpc::delivery {
namespace {

using Factory = std::unique_ptr<sink::Sink> (*)(const SinkContext &);

struct KindFactory {
	std::string_view kind;
	Factory create;
};

constexpr KindFactory kFactories[] = {
    {"postgres", sinks::CreatePostgresSink},
    {"webhook", sinks::CreateWebhookSink},
    {"file", sinks::CreateFileSink},
    {"elastic", sinks::CreateElasticSink},
    {"splunk", sinks::CreateSplunkSink},
};

} // namespace

std::unique_ptr<sink::Sink> CreateSink(std::string_view kind, const SinkContext &context) {
	for (const KindFactory &f : kFactories)
		if (f.kind == kind)
			return f.create(context);
	throw std::invalid_argument("kind: no sink of kind \"" + std::string(kind) + "\" is built into this pgwatch-rpc");
}

std::unique_ptr<sink::Sink> BuildSink(const std::string &sink_name, const SinkDefinition &definition,
                                      const std::string &hub_dsn, DeliveryConfig *config,
                                      std::string *problem, sink::Waiter &waiter) {
	std::vector<sink::ConfigProblem> problems =
	    sink::ValidateSinkConfig(definition.kind, definition.config_json, definition.secrets_json);
	if (!problems.empty()) {
		*problem = sink::FormatProblems(problems);
		return nullptr;
	}
	SinkContext context;
	context.sink_name = sink_name;
	context.config = nlohmann::json::parse(definition.config_json);
	context.secrets = nlohmann::json::parse(definition.secrets_json);
	context.hub_dsn = hub_dsn;
	context.waiter = &waiter;
	ParseDeliveryConfig(context.config, config, &problems);
	try {
		return CreateSink(definition.kind, context);
	} catch (const std::invalid_argument &e) {
		*problem = e.what();
		return nullptr;
	}
}

} // namespace pgwatch_rpc::delivery
