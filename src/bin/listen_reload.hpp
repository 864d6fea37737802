// Reading the listener's settings file at start and on SIGHUP: parse, build the TLS context,
// and describe what changed. A bad new file never replaces a working configuration.
#pragma once
#include "core/config/listener_settings.hpp"
#include "core/tls/server_context.hpp"

#include <string>
#include <vector>

namespace pgwatch_rpc::bin {

struct ReloadResult {
	bool ok = false;
	std::string error; // what is wrong and where, when !ok
	config::ListenerSettings settings;
	tls::SslCtxPtr ssl_ctx;           // nullptr when tls = off
	std::vector<std::string> changes; // log lines: "parameter \"x\" changed to \"y\"", …
};

// LoadSettings reads and validates the file (and certificates when tls = on); it also
// applies log_min_messages.
ReloadResult LoadSettings(const std::string &path);

// ReloadSettings is LoadSettings plus the list of changes against current; settings that
// only take effect at restart (addresses, port, tls, listener_name) are kept at their
// current values, with a warning line.
ReloadResult ReloadSettings(const std::string &path, const config::ListenerSettings &current);

} // namespace pgwatch_rpc::bin
