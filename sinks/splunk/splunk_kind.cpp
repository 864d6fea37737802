// Config parsing and validation of the "splunk" sink kind (see splunk_kind.hpp).
#include "sinks/splunk/splunk_kind.hpp"

#include "core/delivery/delivery_config.hpp"
#include "core/http/endpoint_url.hpp"
#include "core/http/header_rules.hpp"
#include "core/sink/config_value.hpp"

namespace pgwatch_rpc::sinks {
namespace {

using Problems = std::vector<sink::ConfigProblem>;

constexpr std::string_view kCollector = "/services/collector";
constexpr size_t kMaxNameBytes = 1024;

constexpr const char *kKnownKeys = "the splunk sink accepts endpoint, index, source, sourcetype, host_field, "
                                   "channel, use_ack, ack_timeout, ack_poll_interval, format, "
                                   "max_content_length, max_events_per_request, the HTTP keys (timeout_ms, "
                                   "connect_timeout_ms, ca_file, cert_file, key_file, insecure_skip_verify, "
                                   "proxy, compression, headers) and the delivery keys";

bool EndsWith(std::string_view text, std::string_view suffix) {
	return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// ReadEndpoint accepts the HEC base URL or the URL of one of its event endpoints, and places
// the acknowledgement endpoint next to it.
void ReadEndpoint(const nlohmann::json &value, SplunkSettings *out, Problems *problems) {
	std::string url = value.is_string() ? value.get<std::string>() : "";
	std::string problem = value.is_string() ? http::EndpointUrlProblem(url) : "must be a URL string";
	if (!problem.empty()) {
		problems->push_back({"endpoint", problem + ", such as \"https://splunk:8088\""});
		return;
	}
	while (url.back() == '/')
		url.pop_back();
	size_t path_start = url.find('/', url.find("://") + 3);
	std::string_view path = path_start == std::string::npos ? "" : std::string_view(url).substr(path_start);
	std::string base;
	if (path.empty()) {
		base = url;
		out->event_url = url + std::string(kCollector) + "/event";
	} else if (size_t at = path.rfind(kCollector);
	           at != std::string_view::npos &&
	           (EndsWith(path, kCollector) || EndsWith(path, "/services/collector/event") ||
	            EndsWith(path, "/services/collector/event/1.0"))) {
		base = url.substr(0, path_start + at);
		out->event_url = url;
	} else {
		problems->push_back({"endpoint", "must be the HEC base URL (\"https://splunk:8088\") or end in "
		                                 "/services/collector/event, not " +
		                                     value.dump()});
		return;
	}
	out->ack_url = base + std::string(kCollector) + "/ack";
}

void ReadText(const nlohmann::json &value, const std::string &key, bool empty_ok, std::string *out,
              Problems *problems) {
	if (!value.is_string() || (!empty_ok && value.get_ref<const std::string &>().empty()) ||
	    value.get_ref<const std::string &>().size() > kMaxNameBytes ||
	    !http::IsHeaderValue(value.get_ref<const std::string &>())) {
		problems->push_back({key, std::string(empty_ok ? "must be a string" : "must be a non-empty string") +
		                              " of at most " + std::to_string(kMaxNameBytes) +
		                              " bytes without control characters"});
		return;
	}
	*out = value.get<std::string>();
}

void ReadIndex(const nlohmann::json &value, SplunkSettings *out, Problems *problems) {
	std::string text = value.is_string() ? value.get<std::string>() : "";
	bool ok = !text.empty() && text.size() <= 80 && text[0] != '_' && text[0] != '-';
	for (char c : text)
		ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-');
	if (!ok) {
		problems->push_back({"index",
		                     "must be a Splunk index name: 1 to 80 characters from a-z, 0-9, \"_\" and "
		                     "\"-\", not starting with \"_\" or \"-\" (leave it out for the token's "
		                     "default index)"});
		return;
	}
	out->index = text;
}

void ReadMs(const nlohmann::json &value, const char *key, int64_t min_ms, int64_t max_ms, const char *example,
            int64_t *out, Problems *problems) {
	int64_t ms = 0;
	if (!value.is_string() || !ParseDuration(value.get<std::string>(), &ms) || ms < min_ms || ms > max_ms) {
		problems->push_back({key, std::string("must be a duration with its unit between ") +
		                              std::to_string(min_ms) + " ms and " + std::to_string(max_ms / 1000) +
		                              " s, such as \"" + example + "\" (units ms, s, min, h), not " +
		                              value.dump()});
		return;
	}
	*out = ms;
}

void ReadSize(const nlohmann::json &value, const char *key, int64_t min, int64_t max, int64_t *out,
              Problems *problems) {
	if (!sink::ReadBoundedInteger(value, min, max, out))
		problems->push_back({key, "must be a whole number between " + std::to_string(min) + " and " +
		                              std::to_string(max) + ", not " + value.dump()});
}

void ReadConfigKey(const std::string &key, const nlohmann::json &value, SplunkSettings *out,
                   Problems *problems) {
	if (key == "endpoint") {
		ReadEndpoint(value, out, problems);
	} else if (key == "index") {
		ReadIndex(value, out, problems);
	} else if (key == "source") {
		ReadText(value, key, false, &out->source, problems);
	} else if (key == "sourcetype") {
		ReadText(value, key, false, &out->sourcetype, problems);
	} else if (key == "host_field") {
		ReadText(value, key, true, &out->host_field, problems);
	} else if (key == "channel") {
		if (!value.is_string() || !IsChannelGuid(value.get<std::string>()))
			problems->push_back(
			    {key, "must be a GUID such as \"0b5e3b5a-6c1d-4f7e-9a2b-3c4d5e6f7a8b\" (leave it out "
			          "for one derived from the sink's name)"});
		else
			out->channel = value.get<std::string>();
	} else if (key == "use_ack") {
		if (value.is_boolean())
			out->use_ack = value.get<bool>();
		else
			problems->push_back({key, "must be true or false"});
	} else if (key == "ack_timeout") {
		ReadMs(value, "ack_timeout", 1'000, 3'600'000, "5min", &out->ack_timeout_ms, problems);
	} else if (key == "ack_poll_interval") {
		ReadMs(value, "ack_poll_interval", 10, 60'000, "1s", &out->ack_poll_interval_ms, problems);
	} else if (key == "format") {
		std::string format = value.is_string() ? value.get<std::string>() : "";
		if (format == "event" || format == "metric")
			out->format = format == "event" ? HecFormat::kEvent : HecFormat::kMetric;
		else
			problems->push_back(
			    {key, "must be \"event\" or \"metric\" (for a metrics index), not " + value.dump()});
	} else if (key == "max_content_length") {
		ReadSize(value, "max_content_length", 1024, int64_t{1} << 30, &out->max_content_length, problems);
	} else if (key == "max_events_per_request") {
		ReadSize(value, "max_events_per_request", 1, 100'000, &out->max_events_per_request, problems);
	} else if (key == "token") {
		problems->push_back(
		    {key, "is a credential, and config is shown by rpc_sinks: put it in secrets.token"});
	} else {
		problems->push_back({key, std::string("unknown key; ") + kKnownKeys});
	}
}

} // namespace

bool ParseDuration(std::string_view text, int64_t *ms) {
	struct Unit {
		std::string_view name;
		int64_t ms;
	};
	static constexpr Unit kUnits[] = {
	    {"ms", 1},         {"s", 1000},         {"sec", 1000},        {"second", 1000},
	    {"seconds", 1000}, {"min", 60'000},     {"minute", 60'000},   {"minutes", 60'000},
	    {"h", 3'600'000},  {"hour", 3'600'000}, {"hours", 3'600'000},
	};
	size_t i = 0;
	int64_t count = 0;
	while (i < text.size() && text[i] >= '0' && text[i] <= '9' && count < 1'000'000'000)
		count = count * 10 + (text[i++] - '0');
	if (i == 0 || count >= 1'000'000'000)
		return false;
	while (i < text.size() && text[i] == ' ')
		i++;
	for (const Unit &unit : kUnits) {
		if (text.substr(i) == unit.name) {
			*ms = count * unit.ms;
			return true;
		}
	}
	return false;
}

bool IsChannelGuid(std::string_view text) {
	if (text.size() != 36)
		return false;
	for (size_t i = 0; i < text.size(); i++) {
		char c = text[i];
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
		if (dash ? c != '-' : !hex)
			return false;
	}
	return true;
}

void ParseSplunkSettings(const nlohmann::json &config, const nlohmann::json &secrets, SplunkSettings *out,
                         std::vector<sink::ConfigProblem> *problems) {
	out->http.gzip_requests = true; // HEC inflates gzip request bodies
	http::ParseHttpConfig(config, secrets, &out->http, problems);
	for (auto it = config.begin(); it != config.end(); ++it)
		if (!delivery::IsEngineKey(it.key()) && !http::IsHttpKey(it.key()))
			ReadConfigKey(it.key(), it.value(), out, problems);
	if (!config.contains("endpoint"))
		problems->push_back({"endpoint", "is required: the HEC URL, such as \"https://splunk:8088\""});

	for (auto it = secrets.begin(); it != secrets.end(); ++it) {
		if (http::IsHttpSecretKey(it.key()))
			continue;
		if (it.key() != "token") {
			problems->push_back({"secrets." + it.key(),
			                     "unknown secret; the splunk sink accepts token, headers, "
			                     "proxy and key_password"});
			continue;
		}
		const std::string *token = it->is_string() ? &it->get_ref<const std::string &>() : nullptr;
		bool ok = token != nullptr && !token->empty();
		for (char c : token == nullptr ? std::string() : *token)
			ok = ok && static_cast<unsigned char>(c) > 0x20 && static_cast<unsigned char>(c) < 0x7F;
		if (ok)
			out->token = *token;
		else
			problems->push_back(
			    {"secrets.token", "must be the HEC token, without spaces or control characters"});
	}
	if (!secrets.contains("token"))
		problems->push_back({"secrets.token", "is required: the HEC token (sent as \"Authorization: Splunk "
		                                      "<token>\")"});
	for (const auto &header : out->http.headers)
		if (http::EqualsIgnoreCase(header.first, "Authorization"))
			problems->push_back(
			    {"secrets.headers.Authorization", "conflicts with secrets.token: use the token"});
}

std::vector<sink::ConfigProblem> SplunkKind::Validate(const nlohmann::json &config,
                                                      const nlohmann::json &secrets) const {
	SplunkSettings settings;
	std::vector<sink::ConfigProblem> problems;
	ParseSplunkSettings(config, secrets, &settings, &problems);
	return problems;
}

} // namespace pgwatch_rpc::sinks
