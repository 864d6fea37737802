// The HTTP settings every HTTP-speaking sink shares (SINKS.md §0.2): timeouts, TLS, proxy,
// request compression and static headers, as config keys of rpc_sink_add, plus their
// validation. Pure (no I/O, no libcurl): sink validators also run inside PostgreSQL backends.
//
//   config key            meaning (default)
//   timeout_ms            whole request, connect included (60000)
//   connect_timeout_ms    TCP and TLS handshake (10000)
//   ca_file               PEM bundle trusted instead of the system's CAs (absolute path)
//   cert_file, key_file   client certificate and key, PEM (absolute paths)
//   insecure_skip_verify  true turns certificate and host name verification off (false)
//   proxy                 "http://host:3128", "socks5h://…"; "" = no proxy even if the
//                         environment names one; absent = libcurl's environment variables
//                         (http_proxy, HTTPS_PROXY, ALL_PROXY, NO_PROXY) of the delivery process
//   compression           "gzip" (request bodies; the sink's default) or "none"
//   headers               {"Name": "value"} sent with every request
//   secret key            meaning
//   headers               like headers, for values that are credentials
//   proxy                 a proxy URL that carries a password
//   key_password          passphrase of an encrypted key_file
#pragma once
#include "core/core_only.hpp"
#include "core/sink/sink_kind.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pgwatch_rpc::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct TlsOptions {
	std::string ca_file;
	std::string cert_file;
	std::string key_file;
	std::string key_password;
	bool insecure_skip_verify = false;
};

enum class ProxyMode {
	kEnvironment, // libcurl reads the proxy variables of the process environment
	kNone,        // direct connections whatever the environment says
	kExplicit,    // ClientOptions::proxy
};

struct ClientOptions {
	int64_t timeout_ms = 60'000;
	int64_t connect_timeout_ms = 10'000;
	TlsOptions tls;
	ProxyMode proxy_mode = ProxyMode::kEnvironment;
	std::string proxy;
	bool gzip_requests = false;
	HeaderList headers;                    // static headers: config's, then secrets'
	size_t max_response_bytes = 64u << 20; // a longer (decoded) body fails the request
	std::string user_agent = "pgwatch-rpc";
};

// IsHttpKey / IsHttpSecretKey: whether ParseHttpConfig reads this key of config / secrets, so
// that a sink's validator does not call it unknown. Includes the near-miss names it refuses
// with a hint (tls_verify, ssl_verify, verify_ssl, timeout).
bool IsHttpKey(std::string_view key);
bool IsHttpSecretKey(std::string_view key);

// ParseHttpConfig overwrites the fields of *options whose keys are present in config or
// secrets (so a sink sets its own defaults first) and appends a problem per bad value: wrong
// type, out of range, relative path, malformed header, a credential in config rather than
// secrets.
void ParseHttpConfig(const nlohmann::json &config, const nlohmann::json &secrets, ClientOptions *options,
                     std::vector<sink::ConfigProblem> *problems);

} // namespace pgwatch_rpc::http
