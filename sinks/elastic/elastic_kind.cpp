// Config parsing and validation of the "elastic" sink kind (see elastic_kind.hpp).
#include "sinks/elastic/elastic_kind.hpp"

#include "core/delivery/delivery_config.hpp"
#include "core/http/endpoint_url.hpp"
#include "core/http/header_rules.hpp"
#include "core/sink/config_value.hpp"

#include <algorithm>
#include <iterator>

namespace pgwatch_rpc::sinks {
namespace {

using Problems = std::vector<sink::ConfigProblem>;

constexpr size_t kMaxHosts = 64;
constexpr size_t kMaxTemplateBytes = 255;  // Elasticsearch's limit for an index name
constexpr size_t kMaxNamespaceBytes = 100; // the data stream naming scheme's limit

// Characters Elasticsearch refuses in index names (besides upper case).
constexpr std::string_view kIllegalIndexChars = "\\/*?\"<>|,#: ";

constexpr const char *kKnownKeys = "the elastic sink accepts hosts, index, data_stream, namespace, username, "
                                   "aws_sigv4, pipeline, bulk_max_size, bulk_max_bytes, the HTTP keys "
                                   "(timeout_ms, connect_timeout_ms, ca_file, cert_file, key_file, "
                                   "insecure_skip_verify, proxy, compression, headers) and the delivery keys";

// The secrets of aws_sigv4 (the standard AWS names, as the AWS_* environment variables).
constexpr std::string_view kAwsSecretKeys[] = {"aws_access_key_id", "aws_secret_access_key",
                                               "aws_session_token"};

// Headers the SigV4 signer sets itself; configured ones would be sent twice.
constexpr std::string_view kSigV4Headers[] = {"Authorization", "X-Amz-Date", "X-Amz-Security-Token",
                                              "X-Amz-Content-Sha256"};

bool IsAwsSecretKey(std::string_view key) {
	return std::find(std::begin(kAwsSecretKeys), std::end(kAwsSecretKeys), key) != std::end(kAwsSecretKeys);
}

bool IsIndexTextChar(char c) {
	unsigned char u = static_cast<unsigned char>(c);
	return u > 0x20 && u < 0x7F && !(c >= 'A' && c <= 'Z') &&
	       kIllegalIndexChars.find(c) == std::string_view::npos;
}

void ReadHosts(const nlohmann::json &value, ElasticSettings *out, Problems *problems) {
	nlohmann::json list = value.is_string() ? nlohmann::json::array({value}) : value;
	if (!list.is_array() || list.empty() || list.size() > kMaxHosts) {
		problems->push_back({"hosts", "must be a list of 1 to " + std::to_string(kMaxHosts) +
		                                  " URLs such as [\"https://es1:9200\", \"https://es2:9200\"]"});
		return;
	}
	for (size_t i = 0; i < list.size(); i++) {
		std::string key = "hosts[" + std::to_string(i) + "]";
		if (!list[i].is_string()) {
			problems->push_back({key, "must be a URL string such as \"https://es1:9200\""});
			continue;
		}
		std::string url = list[i].get<std::string>();
		std::string problem = http::EndpointUrlProblem(url);
		if (!problem.empty()) {
			problems->push_back({key, problem});
			continue;
		}
		while (url.back() == '/')
			url.pop_back();
		out->hosts.push_back(url);
	}
}

void ReadNamespace(const nlohmann::json &value, ElasticSettings *out, Problems *problems) {
	std::string text = value.is_string() ? value.get<std::string>() : "";
	bool ok = !text.empty() && text.size() <= kMaxNamespaceBytes && text[0] != '.' && text[0] != '_';
	for (char c : text)
		ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.');
	if (!ok) {
		problems->push_back(
		    {"namespace", "must be 1 to " + std::to_string(kMaxNamespaceBytes) +
		                      " characters from a-z, 0-9, \"_\" and \".\" (no \"-\": it "
		                      "separates the parts of a data stream name), such as \"prod\""});
		return;
	}
	out->data_stream_namespace = text;
}

void ReadPipeline(const nlohmann::json &value, ElasticSettings *out, Problems *problems) {
	std::string text = value.is_string() ? value.get<std::string>() : "";
	bool ok = !text.empty() && text.size() <= 512;
	for (char c : text)
		ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		            std::string_view("._-@").find(c) != std::string_view::npos);
	if (!ok) {
		problems->push_back({"pipeline",
		                     "must be the id of an ingest pipeline: letters, digits, \".\", \"_\", "
		                     "\"-\" and \"@\""});
		return;
	}
	out->pipeline = text;
}

void ReadSize(const nlohmann::json &value, const char *key, int64_t min, int64_t max, int64_t *out,
              Problems *problems) {
	if (!sink::ReadBoundedInteger(value, min, max, out))
		problems->push_back({key, "must be a whole number between " + std::to_string(min) + " and " +
		                              std::to_string(max) + ", not " + value.dump()});
}

void ReadString(const nlohmann::json &value, const std::string &key, std::string *out, Problems *problems) {
	if (!value.is_string() || value.get_ref<const std::string &>().empty())
		problems->push_back({key, "must be a non-empty string"});
	else
		*out = value.get<std::string>();
}

// ReadAwsSigV4: {"region": "us-east-1", "service": "es" | "aoss"}; service defaults to es, as in
// the OpenSearch clients.
void ReadAwsSigV4(const nlohmann::json &value, ElasticSettings *out, Problems *problems) {
	if (!value.is_object()) {
		problems->push_back({"aws_sigv4",
		                     "must be an object such as {\"region\": \"us-east-1\", \"service\": "
		                     "\"es\"} (\"aoss\" for OpenSearch Serverless)"});
		return;
	}
	out->aws_sigv4 = true;
	out->aws_scope.service = "es";
	for (auto it = value.begin(); it != value.end(); ++it) {
		const std::string &key = it.key();
		const nlohmann::json &item = it.value();
		std::string text = item.is_string() ? item.get<std::string>() : "";
		if (key == "region") {
			if (http::IsAwsRegionName(text))
				out->aws_scope.region = text;
			else
				problems->push_back(
				    {"aws_sigv4.region", "must be an AWS region name such as \"us-east-1\" or "
				                         "\"eu-central-1\", not " +
				                             item.dump()});
		} else if (key == "service") {
			if (text == "es" || text == "aoss")
				out->aws_scope.service = text;
			else
				problems->push_back(
				    {"aws_sigv4.service", "must be \"es\" (Amazon OpenSearch Service) or \"aoss\" "
				                          "(OpenSearch Serverless), not " +
				                              item.dump()});
		} else if (IsAwsSecretKey(key) || IsAwsSecretKey("aws_" + key)) {
			problems->push_back(
			    {"aws_sigv4." + key, "is a credential, and config is shown by rpc_sinks: put it in "
			                         "secrets." +
			                             (IsAwsSecretKey(key) ? key : "aws_" + key)});
		} else {
			problems->push_back({"aws_sigv4." + key, "unknown key; aws_sigv4 accepts region and service"});
		}
	}
	if (!value.contains("region"))
		problems->push_back(
		    {"aws_sigv4.region",
		     "is required: the AWS region of the domain or collection, such as \"us-east-1\""});
}

void ReadConfig(const nlohmann::json &config, ElasticSettings *out, Problems *problems) {
	bool has_index = false;
	bool has_namespace = false;
	for (auto it = config.begin(); it != config.end(); ++it) {
		const std::string &key = it.key();
		const nlohmann::json &value = it.value();
		if (delivery::IsEngineKey(key) || http::IsHttpKey(key))
			continue;
		if (key == "hosts") {
			ReadHosts(value, out, problems);
		} else if (key == "index") {
			has_index = true;
			std::string error;
			if (!value.is_string() || !ParseIndexTemplate(value.get<std::string>(), &out->index, &error))
				problems->push_back({key, value.is_string() ? error
				                                            : "must be an index name template such as \"" +
				                                                  std::string(kDefaultIndexTemplate) + "\""});
		} else if (key == "data_stream") {
			if (value.is_boolean())
				out->data_stream = value.get<bool>();
			else
				problems->push_back({key, "must be true or false"});
		} else if (key == "namespace") {
			has_namespace = true;
			ReadNamespace(value, out, problems);
		} else if (key == "username") {
			ReadString(value, key, &out->username, problems);
			if (out->username.find(':') != std::string::npos)
				problems->push_back(
				    {key, "must not contain \":\" (HTTP Basic authentication cannot carry it)"});
		} else if (key == "aws_sigv4") {
			ReadAwsSigV4(value, out, problems);
		} else if (key == "pipeline") {
			ReadPipeline(value, out, problems);
		} else if (key == "bulk_max_size") {
			ReadSize(value, "bulk_max_size", 1, 100'000, &out->bulk_max_size, problems);
		} else if (key == "bulk_max_bytes") {
			ReadSize(value, "bulk_max_bytes", 1024, int64_t{100} << 20, &out->bulk_max_bytes, problems);
		} else if (key == "password" || key == "api_key" || IsAwsSecretKey(key)) {
			problems->push_back(
			    {key, "is a credential, and config is shown by rpc_sinks: put it in secrets." + key});
		} else {
			problems->push_back({key, std::string("unknown key; ") + kKnownKeys});
		}
	}
	if (!config.contains("hosts"))
		problems->push_back({"hosts", "is required: the Elasticsearch or OpenSearch URLs, such as "
		                              "[\"https://es1:9200\"]"});
	if (out->data_stream && has_index)
		problems->push_back({"index", "cannot be combined with data_stream: a data stream is named "
		                              "metrics-pgwatch.<metric>-<namespace>; drop one of the two keys"});
	if (!out->data_stream && has_namespace)
		problems->push_back({"namespace", "is only used with \"data_stream\": true"});
}

// ReadAwsSecret: one of kAwsSecretKeys. The messages never quote the value.
void ReadAwsSecret(const std::string &key, const nlohmann::json &value, ElasticSettings *out,
                   Problems *problems) {
	std::string text = value.is_string() ? value.get<std::string>() : "";
	http::AwsCredentials &credentials = out->aws_credentials;
	if (key == "aws_access_key_id") {
		if (http::IsAwsAccessKeyId(text))
			credentials.access_key_id = text;
		else
			problems->push_back({"secrets." + key,
			                     "must be an AWS access key id: upper-case letters and digits, "
			                     "such as \"AKIAIOSFODNN7EXAMPLE\""});
	} else if (http::IsAwsSecretText(text)) {
		(key == "aws_secret_access_key" ? credentials.secret_access_key : credentials.session_token) = text;
	} else {
		problems->push_back(
		    {"secrets." + key, "must be a non-empty string without spaces or control characters"});
	}
}

// CheckAwsSigV4: the credentials come as a pair (or from the environment: then none is given),
// and SigV4 is the request's only authentication.
void CheckAwsSigV4(const nlohmann::json &secrets, ElasticSettings *out, Problems *problems) {
	bool has_id = secrets.contains("aws_access_key_id");
	bool has_secret = secrets.contains("aws_secret_access_key");
	if (!out->aws_sigv4) {
		for (std::string_view key : kAwsSecretKeys)
			if (secrets.contains(key))
				problems->push_back(
				    {"secrets." + std::string(key), "is only used with the aws_sigv4 key in config"});
		return;
	}
	if (has_id != has_secret)
		problems->push_back(
		    {has_id ? "secrets.aws_access_key_id" : "secrets.aws_secret_access_key",
		     has_id ? "needs secrets.aws_secret_access_key" : "needs secrets.aws_access_key_id"});
	if (secrets.contains("aws_session_token") && !(has_id && has_secret))
		problems->push_back(
		    {"secrets.aws_session_token",
		     "needs secrets.aws_access_key_id and secrets.aws_secret_access_key (or give none of "
		     "the three and set AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN in "
		     "the PostgreSQL server's environment)"});
	if (!out->username.empty() || !out->api_key.empty())
		problems->push_back({"aws_sigv4", "cannot be combined with username/password or api_key: Amazon "
		                                  "OpenSearch takes SigV4 alone; use one of them"});
	const nlohmann::json *secret_headers = secrets.contains("headers") ? &secrets["headers"] : nullptr;
	for (const auto &header : out->http.headers)
		for (std::string_view name : kSigV4Headers)
			if (http::EqualsIgnoreCase(header.first, name))
				problems->push_back(
				    {(secret_headers != nullptr && secret_headers->contains(header.first) ? "secrets.headers."
				                                                                          : "headers.") +
				         header.first,
				     "conflicts with aws_sigv4, whose signer sets this header"});
}

void ReadSecrets(const nlohmann::json &secrets, ElasticSettings *out, Problems *problems) {
	for (auto it = secrets.begin(); it != secrets.end(); ++it) {
		const std::string &key = it.key();
		if (http::IsHttpSecretKey(key))
			continue;
		if (key == "password")
			ReadString(it.value(), "secrets.password", &out->password, problems);
		else if (key == "api_key")
			ReadString(it.value(), "secrets.api_key", &out->api_key, problems);
		else if (IsAwsSecretKey(key))
			ReadAwsSecret(key, it.value(), out, problems);
		else
			problems->push_back(
			    {"secrets." + key,
			     "unknown secret; the elastic sink accepts password, api_key, aws_access_key_id, "
			     "aws_secret_access_key, aws_session_token, headers, proxy and key_password"});
	}
	CheckAwsSigV4(secrets, out, problems);
	for (char c : out->api_key) {
		unsigned char u = static_cast<unsigned char>(c);
		if (u <= 0x20 || u >= 0x7F) {
			problems->push_back({"secrets.api_key",
			                     "must be \"id:api_key\" or Elastic's encoded key, without "
			                     "spaces or control characters"});
			break;
		}
	}
	if (!out->password.empty() && out->username.empty())
		problems->push_back({"secrets.password", "needs the username key in config"});
	if (!out->username.empty() && out->password.empty())
		problems->push_back({"username", "needs secrets.password"});
	if (!out->api_key.empty() && !out->username.empty())
		problems->push_back(
		    {"secrets.api_key", "cannot be combined with username and password: use one of them"});
	for (const auto &header : out->http.headers)
		if (http::EqualsIgnoreCase(header.first, "Authorization") &&
		    (!out->api_key.empty() || !out->username.empty()))
			problems->push_back({"secrets.headers.Authorization",
			                     "conflicts with username/password or api_key: use one of them"});
}

} // namespace

bool ParseIndexTemplate(std::string_view text, IndexTemplate *out, std::string *error) {
	using Kind = IndexTemplatePart::Kind;
	out->clear();
	if (text.empty() || text.size() > kMaxTemplateBytes) {
		*error = "must be 1 to " + std::to_string(kMaxTemplateBytes) + " bytes, such as \"" +
		         std::string(kDefaultIndexTemplate) + "\"";
		return false;
	}
	auto add_text = [out](char c) {
		if (out->empty() || out->back().kind != Kind::kText)
			out->push_back({Kind::kText, ""});
		out->back().text.push_back(c);
	};
	for (size_t i = 0; i < text.size(); i++) {
		char c = text[i];
		if (c != '%') {
			if (!IsIndexTextChar(c)) {
				*error = "must not contain upper case letters, spaces, non-ASCII characters or any of \\ / * "
				         "? \" < "
				         "> | , # : (Elasticsearch refuses them in index names); found " +
				         std::string(1, c);
				return false;
			}
			add_text(c);
			continue;
		}
		std::string_view rest = text.substr(i + 1);
		if (rest.substr(0, 8) == "{metric}") {
			out->push_back({Kind::kMetric, ""});
			i += 8;
		} else if (rest.substr(0, 8) == "{dbname}") {
			out->push_back({Kind::kDbname, ""});
			i += 8;
		} else if (!rest.empty() && std::string_view("YmdH%").find(rest[0]) != std::string_view::npos) {
			static constexpr Kind kTime[] = {Kind::kYear, Kind::kMonth, Kind::kDay, Kind::kHour};
			size_t which = std::string_view("YmdH%").find(rest[0]);
			if (rest[0] == '%')
				add_text('%');
			else
				out->push_back({kTime[which], ""});
			i += 1;
		} else {
			*error = "has an unknown placeholder at \"" + std::string(text.substr(i, 10)) +
			         "\"; use %{metric}, %{dbname}, %Y, %m, %d, %H or %%";
			return false;
		}
	}
	if (out->front().kind == Kind::kText &&
	    std::string_view("-_+.").find(out->front().text[0]) != std::string_view::npos) {
		*error =
		    "must not start with \"-\", \"_\", \"+\" or \".\" (Elasticsearch refuses or hides such indices)";
		return false;
	}
	return true;
}

void ParseElasticSettings(const nlohmann::json &config, const nlohmann::json &secrets, ElasticSettings *out,
                          std::vector<sink::ConfigProblem> *problems) {
	std::string unused;
	ParseIndexTemplate(kDefaultIndexTemplate, &out->index, &unused);
	out->http.gzip_requests = true; // Elasticsearch and OpenSearch inflate gzip request bodies
	http::ParseHttpConfig(config, secrets, &out->http, problems);
	ReadConfig(config, out, problems);
	ReadSecrets(secrets, out, problems);
}

std::vector<sink::ConfigProblem> ElasticKind::Validate(const nlohmann::json &config,
                                                       const nlohmann::json &secrets) const {
	ElasticSettings settings;
	std::vector<sink::ConfigProblem> problems;
	ParseElasticSettings(config, secrets, &settings, &problems);
	return problems;
}

} // namespace pgwatch_rpc::sinks
