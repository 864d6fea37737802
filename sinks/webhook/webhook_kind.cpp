// Config parsing and validation of the "webhook" sink kind (see webhook_kind.hpp).
#include "sinks/webhook/webhook_kind.hpp"

#include "core/delivery/delivery_config.hpp"
#include "core/http/header_rules.hpp"

namespace pgwatch_rpc::sinks {
namespace {

using Problems = std::vector<sink::ConfigProblem>;

constexpr size_t kMaxUrlBytes = 8192;
constexpr size_t kMinHmacSecretBytes = 16;

constexpr std::string_view kKeys =
    "url, method, format, username, the HTTP keys (timeout_ms, connect_timeout_ms, "
    "headers, compression, ca_file, cert_file, key_file, insecure_skip_verify, "
    "proxy) and the delivery keys";
constexpr std::string_view kSecretKeys =
    "url, password, bearer_token, hmac_secret, headers, proxy and key_password";

// UrlProblem: "" if url is an http(s) URL with a host and no blanks or control characters.
std::string UrlProblem(const std::string &url) {
	std::string_view rest = url;
	for (std::string_view scheme : {"http://", "https://"})
		if (rest.substr(0, scheme.size()) == scheme)
			rest.remove_prefix(scheme.size());
	bool has_scheme = rest.size() < url.size();
	std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
	std::string_view host =
	    authority.substr(authority.rfind('@') == std::string_view::npos ? 0 : authority.rfind('@') + 1);
	bool clean = url.size() <= kMaxUrlBytes && http::IsHeaderValue(url) &&
	             url.find_first_of(" \t") == std::string::npos;
	if (!has_scheme || host.empty() || host[0] == ':' || !clean)
		return "must be an http:// or https:// URL with a host, such as "
		       "\"https://hooks.example.com/pgwatch\"";
	return "";
}

// HasPassword: does the URL's authority carry "user:password@"?
bool HasPassword(std::string_view url) {
	std::string_view rest = url.substr(url.find("://") + 3);
	std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
	size_t at = authority.rfind('@');
	return at != std::string_view::npos && authority.substr(0, at).find(':') != std::string_view::npos;
}

void ReadUrl(const nlohmann::json &value, const std::string &key, bool from_secrets, WebhookSettings *out,
             Problems *problems) {
	std::string url = value.is_string() ? value.get<std::string>() : "";
	std::string problem = UrlProblem(url);
	if (!problem.empty()) {
		// A secret URL is not echoed back: it is the credential.
		problems->push_back({key, problem + (from_secrets ? "" : ", not " + value.dump())});
		return;
	}
	if (!from_secrets && HasPassword(url)) {
		problems->push_back({key,
		                     "carries a password, and config is shown by rpc_sinks: give username here and "
		                     "the password as secrets.password, or put the whole URL in secrets.url"});
		return;
	}
	out->url = url;
	out->url_is_secret = from_secrets;
}

void ReadConfigKey(const std::string &key, const nlohmann::json &value, WebhookSettings *out,
                   Problems *problems) {
	if (key == "url") {
		ReadUrl(value, key, false, out, problems);
	} else if (key == "method") {
		std::string method = value.is_string() ? value.get<std::string>() : "";
		if (method == "POST" || method == "PUT")
			out->method = method;
		else
			problems->push_back({key, "must be \"POST\" or \"PUT\", not " + value.dump()});
	} else if (key == "format") {
		std::string format = value.is_string() ? value.get<std::string>() : "";
		if (format == "json")
			out->format = WebhookFormat::kJsonArray;
		else if (format == "ndjson")
			out->format = WebhookFormat::kNdjson;
		else if (format == "pgwatch-envelope")
			out->format = WebhookFormat::kPgwatchEnvelope;
		else
			problems->push_back({key, "must be \"json\" (a JSON array of row documents), \"ndjson\" (one "
			                          "document per line) or \"pgwatch-envelope\" (one line per envelope, as "
			                          "pgwatch's jsonfile sink writes), not " +
			                              value.dump()});
	} else if (key == "username") {
		if (value.is_string() && !value.get<std::string>().empty() &&
		    value.get<std::string>().find(':') == std::string::npos)
			out->username = value.get<std::string>();
		else
			problems->push_back({key, "must be a non-empty user name without ':' for Basic authentication"});
	} else if (!http::IsHttpKey(key)) {
		problems->push_back({key, "unknown key; the webhook sink accepts " + std::string(kKeys)});
	}
}

void ReadSecretKey(const std::string &key, const nlohmann::json &value, WebhookSettings *out,
                   Problems *problems) {
	std::string name = "secrets." + key;
	if (key == "url") {
		ReadUrl(value, name, true, out, problems);
	} else if (key == "password" || key == "bearer_token") {
		if (!value.is_string() || value.get<std::string>().empty() ||
		    !http::IsHeaderValue(value.get<std::string>()))
			problems->push_back({name, "must be a non-empty string without control characters"});
		else
			(key == "password" ? out->password : out->bearer_token) = value.get<std::string>();
	} else if (key == "hmac_secret") {
		// Any bytes will do as an HMAC key, but a short one is guessable offline from one
		// signed request.
		if (!value.is_string() || value.get<std::string>().size() < kMinHmacSecretBytes)
			problems->push_back({name, "must be a string of at least " + std::to_string(kMinHmacSecretBytes) +
			                               " characters (the key of the X-Pgwatch-Signature HMAC)"});
		else
			out->hmac_secret = value.get<std::string>();
	} else if (!http::IsHttpSecretKey(key)) {
		problems->push_back({name, "unknown secret; the webhook sink accepts " + std::string(kSecretKeys)});
	}
}

} // namespace

void ParseWebhookSettings(const nlohmann::json &config, const nlohmann::json &secrets, WebhookSettings *out,
                          std::vector<sink::ConfigProblem> *problems) {
	for (auto it = config.begin(); it != config.end(); ++it)
		if (!delivery::IsEngineKey(it.key()))
			ReadConfigKey(it.key(), it.value(), out, problems);
	for (auto it = secrets.begin(); it != secrets.end(); ++it)
		ReadSecretKey(it.key(), it.value(), out, problems);
	http::ParseHttpConfig(config, secrets, &out->http, problems);

	bool config_url = config.contains("url"), secret_url = secrets.contains("url");
	if (config_url && secret_url)
		problems->push_back({"url", "is given twice: keep either url or secrets.url"});
	else if (!config_url && !secret_url)
		problems->push_back({"url",
		                     "is required: the endpoint to send the batches to (or secrets.url when the "
		                     "URL itself is a credential)"});
	if (!out->username.empty() && out->password.empty())
		problems->push_back({"secrets.password", "is required with username (Basic authentication)"});
	if (out->username.empty() && !out->password.empty())
		problems->push_back({"username", "is required with secrets.password (Basic authentication)"});
	if (!out->password.empty() && !out->bearer_token.empty())
		problems->push_back({"secrets.bearer_token",
		                     "cannot be combined with Basic authentication (username and "
		                     "secrets.password): choose one"});
	bool authorization_header = false;
	for (const auto &header : out->http.headers)
		authorization_header = authorization_header || http::EqualsIgnoreCase(header.first, "Authorization");
	if ((!out->password.empty() || !out->bearer_token.empty()) && authorization_header)
		problems->push_back({"secrets.headers.Authorization",
		                     "conflicts with username/password or bearer_token: "
		                     "choose one way to authenticate"});
}

std::vector<sink::ConfigProblem> WebhookKind::Validate(const nlohmann::json &config,
                                                       const nlohmann::json &secrets) const {
	WebhookSettings settings;
	std::vector<sink::ConfigProblem> problems;
	ParseWebhookSettings(config, secrets, &settings, &problems);
	return problems;
}

} // namespace pgwatch_rpc::sinks
