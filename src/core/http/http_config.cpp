// Validation of the shared HTTP config keys (http_config.hpp). Pure: linked into the
// extension's sink validators as well as the delivery child.
#include "core/http/http_config.hpp"

#include "core/http/header_rules.hpp"

#include <cmath>

namespace pgwatch_rpc::http {
namespace {

using Problems = std::vector<sink::ConfigProblem>;

constexpr size_t kMaxHeaders = 100;
constexpr size_t kMaxHeaderValueBytes = 8192;

// Names that people bring from other tools; refused with the name we use.
struct NearMiss {
	std::string_view key;
	std::string_view hint;
};
constexpr NearMiss kNearMisses[] = {
    {"tls_verify", "use insecure_skip_verify (true turns verification off; it is on by default)"},
    {"ssl_verify", "use insecure_skip_verify (true turns verification off; it is on by default)"},
    {"verify_ssl", "use insecure_skip_verify (true turns verification off; it is on by default)"},
    {"timeout", "use timeout_ms, in milliseconds (and connect_timeout_ms for the handshake)"},
};

constexpr std::string_view kConfigKeys[] = {"timeout_ms", "connect_timeout_ms", "ca_file",
                                            "cert_file",  "key_file",           "insecure_skip_verify",
                                            "proxy",      "compression",        "headers"};
constexpr std::string_view kSecretKeys[] = {"headers", "proxy", "key_password"};

// Headers the client manages itself: framing, connection handling, compression.
constexpr std::string_view kManagedHeaders[] = {"Content-Length",   "Transfer-Encoding",
                                                "Content-Encoding", "Connection",
                                                "Keep-Alive",       "Expect",
                                                "Upgrade",          "TE",
                                                "Trailer"};

// ReadMilliseconds accepts an integral JSON number (jsonb may hand back 1000 as 1e3).
void ReadMilliseconds(const nlohmann::json &value, const std::string &key, int64_t min, int64_t max,
                      int64_t *out, Problems *problems) {
	double number = value.is_number() ? value.get<double>() : NAN;
	if (!std::isfinite(number) || number != std::floor(number) || number < static_cast<double>(min) ||
	    number > static_cast<double>(max)) {
		problems->push_back({key, "must be a whole number of milliseconds between " + std::to_string(min) +
		                              " and " + std::to_string(max) + ", not " + value.dump()});
		return;
	}
	*out = static_cast<int64_t>(number);
}

void ReadPath(const nlohmann::json &value, const std::string &key, std::string *out, Problems *problems) {
	if (!value.is_string() || value.get_ref<const std::string &>().empty()) {
		problems->push_back({key, "must be the absolute path of a PEM file, not " + value.dump()});
		return;
	}
	const std::string &path = value.get_ref<const std::string &>();
	if (path[0] != '/' || path.find('\0') != std::string::npos) {
		problems->push_back({key, "must be an absolute path (the delivery process does not run in your "
		                          "directory), not " +
		                              value.dump()});
		return;
	}
	*out = path;
}

// ProxyHasPassword: does the URL's authority carry "user:password@"?
bool ProxyHasPassword(std::string_view url) {
	size_t scheme_end = url.find("://");
	std::string_view rest = scheme_end == std::string_view::npos ? url : url.substr(scheme_end + 3);
	std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
	size_t at = authority.rfind('@');
	return at != std::string_view::npos && authority.substr(0, at).find(':') != std::string_view::npos;
}

void ReadProxy(const nlohmann::json &value, const std::string &key, bool from_secrets, ClientOptions *options,
               Problems *problems) {
	if (!value.is_string()) {
		problems->push_back({key, "must be a proxy URL such as \"http://proxy:3128\", or \"\" for no proxy"});
		return;
	}
	const std::string &url = value.get_ref<const std::string &>();
	if (url.empty()) {
		options->proxy_mode = ProxyMode::kNone;
		options->proxy.clear();
		return;
	}
	static constexpr std::string_view kSchemes[] = {"http://",    "https://",  "socks4://",
	                                                "socks4a://", "socks5://", "socks5h://"};
	bool known_scheme = false;
	for (std::string_view scheme : kSchemes)
		known_scheme =
		    known_scheme || (url.size() > scheme.size() && url.compare(0, scheme.size(), scheme) == 0);
	if (!known_scheme || url.find_first_of(std::string("\0 \t\r\n", 5)) != std::string::npos) {
		problems->push_back({key,
		                     "must be a proxy URL starting with http://, https://, socks4://, socks4a://, "
		                     "socks5:// or socks5h://, or \"\" for no proxy"});
		return;
	}
	if (!from_secrets && ProxyHasPassword(url)) {
		problems->push_back({key, "carries a password, and config is shown by rpc_sinks: put the proxy URL "
		                          "in secrets.proxy instead"});
		return;
	}
	options->proxy_mode = ProxyMode::kExplicit;
	options->proxy = url;
}

void ReadHeaders(const nlohmann::json &value, const std::string &key, bool from_secrets,
                 ClientOptions *options, Problems *problems) {
	if (!value.is_object()) {
		problems->push_back({key, "must be an object of header names and string values, such as "
		                          "{\"X-Scope-OrgID\": \"team-a\"}"});
		return;
	}
	if (value.size() > kMaxHeaders) {
		problems->push_back({key, "has more than " + std::to_string(kMaxHeaders) + " headers"});
		return;
	}
	for (auto it = value.begin(); it != value.end(); ++it) {
		const std::string &name = it.key();
		std::string item_key = key + "." + name;
		if (!IsHeaderName(name)) {
			problems->push_back(
			    {item_key, "is not a valid header name (letters, digits and !#$%&'*+-.^_`|~)"});
			continue;
		}
		bool managed = false;
		for (std::string_view m : kManagedHeaders)
			managed = managed || EqualsIgnoreCase(name, m);
		if (managed) {
			problems->push_back({item_key, "is set by the HTTP client itself and cannot be configured"
			                               " (request compression is the compression key)"});
			continue;
		}
		if (!it->is_string() || !IsHeaderValue(it->get_ref<const std::string &>()) ||
		    it->get_ref<const std::string &>().size() > kMaxHeaderValueBytes) {
			problems->push_back({item_key, "must be a string of at most " +
			                                   std::to_string(kMaxHeaderValueBytes) +
			                                   " bytes without control characters"});
			continue;
		}
		if (!from_secrets && IsSensitiveHeaderName(name)) {
			problems->push_back({item_key,
			                     "looks like a credential, and config is shown by rpc_sinks: put it "
			                     "in secrets.headers instead"});
			continue;
		}
		options->headers.emplace_back(name, it->get<std::string>());
	}
}

void ReadConfigKey(const std::string &key, const nlohmann::json &value, ClientOptions *options,
                   Problems *problems) {
	if (key == "timeout_ms") {
		ReadMilliseconds(value, key, 1, 3'600'000, &options->timeout_ms, problems);
	} else if (key == "connect_timeout_ms") {
		ReadMilliseconds(value, key, 1, 600'000, &options->connect_timeout_ms, problems);
	} else if (key == "ca_file") {
		ReadPath(value, key, &options->tls.ca_file, problems);
	} else if (key == "cert_file") {
		ReadPath(value, key, &options->tls.cert_file, problems);
	} else if (key == "key_file") {
		ReadPath(value, key, &options->tls.key_file, problems);
	} else if (key == "insecure_skip_verify") {
		if (value.is_boolean())
			options->tls.insecure_skip_verify = value.get<bool>();
		else
			problems->push_back({key, "must be true or false"});
	} else if (key == "proxy") {
		ReadProxy(value, key, false, options, problems);
	} else if (key == "compression") {
		std::string mode = value.is_string() ? value.get<std::string>() : "";
		if (mode == "gzip" || mode == "none")
			options->gzip_requests = mode == "gzip";
		else
			problems->push_back({key, "must be \"gzip\" or \"none\", not " + value.dump()});
	} else if (key == "headers") {
		ReadHeaders(value, key, false, options, problems);
	}
}

} // namespace

bool IsHttpKey(std::string_view key) {
	for (std::string_view k : kConfigKeys)
		if (k == key)
			return true;
	for (const NearMiss &n : kNearMisses)
		if (n.key == key)
			return true;
	return false;
}

bool IsHttpSecretKey(std::string_view key) {
	for (std::string_view k : kSecretKeys)
		if (k == key)
			return true;
	return false;
}

void ParseHttpConfig(const nlohmann::json &config, const nlohmann::json &secrets, ClientOptions *options,
                     std::vector<sink::ConfigProblem> *problems) {
	if (config.is_object()) {
		// Static headers are replaced as a whole, never merged with a sink's defaults.
		if (config.contains("headers"))
			options->headers.clear();
		for (auto it = config.begin(); it != config.end(); ++it) {
			for (const NearMiss &n : kNearMisses)
				if (n.key == it.key())
					problems->push_back({it.key(), "is not a key of this sink: " + std::string(n.hint)});
			ReadConfigKey(it.key(), it.value(), options, problems);
		}
		if (!options->tls.key_file.empty() && options->tls.cert_file.empty())
			problems->push_back(
			    {"key_file", "needs cert_file: a client key is only used with its certificate"});
	}
	if (!secrets.is_object())
		return;
	if (auto it = secrets.find("headers"); it != secrets.end())
		ReadHeaders(*it, "secrets.headers", true, options, problems);
	if (auto it = secrets.find("proxy"); it != secrets.end())
		ReadProxy(*it, "secrets.proxy", true, options, problems);
	if (auto it = secrets.find("key_password"); it != secrets.end()) {
		if (it->is_string())
			options->tls.key_password = it->get<std::string>();
		else
			problems->push_back({"secrets.key_password", "must be a string"});
	}
}

} // namespace pgwatch_rpc::http
