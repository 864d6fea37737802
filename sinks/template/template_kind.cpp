// Config parsing and validation of the "template" kind (see template_kind.hpp).
#include "sinks/template/template_kind.hpp"

#include "core/delivery/delivery_config.hpp"

namespace pgwatch_rpc::sinks {

void ParseTemplateSettings(const nlohmann::json &config, const nlohmann::json &secrets, TemplateSettings *out,
                           std::vector<sink::ConfigProblem> *problems) {
	// Walk the keys the user gave rather than looking up the ones we know: an unknown key is
	// a problem (a typo must never fall back to a default silently).
	for (auto it = config.begin(); it != config.end(); ++it) {
		const std::string &key = it.key();
		// The engine's keys (include_metrics, max_batch_rows, …) sit in the same object and
		// are validated by the engine; the shared HTTP keys by ParseHttpConfig below.
		if (delivery::IsEngineKey(key) || http::IsHttpKey(key))
			continue;
		if (key == "url") {
			// Check the type and the form; say what is allowed and echo what was given.
			std::string url = it->is_string() ? it->get<std::string>() : "";
			if (url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0)
				out->url = url;
			else
				problems->push_back({key, "must be an http:// or https:// URL, not " + it->dump()});
		} else {
			problems->push_back({key, "unknown key; the template sink accepts url, the HTTP keys and the "
			                          "delivery keys"});
		}
	}
	if (!config.contains("url"))
		problems->push_back({"url", "is required: the endpoint to send the documents to"});

	// Secrets: name problems "secrets.<key>" and never echo a secret's value.
	for (auto it = secrets.begin(); it != secrets.end(); ++it) {
		if (it.key() == "api_key" && it->is_string() && !it->get<std::string>().empty())
			out->api_key = it->get<std::string>();
		else if (it.key() == "api_key")
			problems->push_back({"secrets.api_key", "must be a non-empty string"});
		else if (!http::IsHttpSecretKey(it.key()))
			problems->push_back({"secrets." + it.key(), "unknown secret; the template sink accepts api_key"});
	}
	http::ParseHttpConfig(config, secrets, &out->http, problems);
}

std::vector<sink::ConfigProblem> TemplateKind::Validate(const nlohmann::json &config,
                                                        const nlohmann::json &secrets) const {
	TemplateSettings settings;
	std::vector<sink::ConfigProblem> problems;
	ParseTemplateSettings(config, secrets, &settings, &problems);
	return problems;
}

} // namespace pgwatch_rpc::sinks
