// Settings file loading and reload diffing for `pgwatch-rpc listen` (see listen_reload.hpp).
#include "bin/listen_reload.hpp"

#include "core/config/settings_file.hpp"
#include "core/log/log.hpp"

#include <fstream>
#include <map>
#include <sstream>

namespace pgwatch_rpc::bin {
namespace {
bool ReadFile(const std::string &path, std::string *text) {
	std::ifstream in(path, std::ios::binary);
	if (!in)
		return false;
	std::ostringstream buffer;
	buffer << in.rdbuf();
	*text = buffer.str();
	return !in.bad();
}

// Settings as key → value text, via the renderer, for a generic diff.
std::map<std::string, std::string> AsMap(const config::ListenerSettings &settings) {
	std::map<std::string, std::string> out;
	std::vector<config::SettingLine> lines;
	std::string error;
	if (config::SplitSettingsFile(config::RenderListenerSettings(settings), &lines, &error))
		for (config::SettingLine &line : lines)
			out[line.key] = line.value;
	return out;
}
} // namespace

ReloadResult LoadSettings(const std::string &path) {
	ReloadResult result;
	std::string text;
	if (!ReadFile(path, &text)) {
		result.error = "could not read settings file \"" + path + "\"";
		return result;
	}
	std::string error;
	if (!config::ParseListenerSettings(text, &result.settings, &error)) {
		result.error = "invalid settings file \"" + path + "\": " + error;
		return result;
	}
	if (result.settings.tls) {
		if (result.settings.ssl_cert_file.empty() || result.settings.ssl_key_file.empty()) {
			result.error = "tls = on needs ssl_cert_file and ssl_key_file in \"" + path + "\"";
			return result;
		}
		try {
			result.ssl_ctx = tls::CreateServerContext(
			    result.settings.ssl_cert_file, result.settings.ssl_key_file, result.settings.ssl_ca_file);
		} catch (const std::exception &e) {
			result.error = e.what();
			return result;
		}
	}
	log::Level level;
	if (config::LogLevelFromName(result.settings.log_min_messages, &level))
		log::SetMinimumLevel(level);
	result.ok = true;
	return result;
}

ReloadResult ReloadSettings(const std::string &path, const config::ListenerSettings &current) {
	ReloadResult result = LoadSettings(path);
	if (!result.ok)
		return result;
	config::ListenerSettings &next = result.settings;
	bool restart_needed = next.listen_addresses != current.listen_addresses || next.port != current.port ||
	                      next.tls != current.tls || next.listener_name != current.listener_name;
	if (restart_needed) {
		result.changes.push_back(
		    "listen_addresses, port, tls and listener_name take effect when the listener "
		    "restarts; keeping the current values");
		next.listen_addresses = current.listen_addresses;
		next.port = current.port;
		next.listener_name = current.listener_name;
		if (next.tls != current.tls) {
			next.tls = current.tls;
			if (!current.tls)
				result.ssl_ctx.reset();
			else {
				try {
					result.ssl_ctx =
					    tls::CreateServerContext(next.ssl_cert_file, next.ssl_key_file, next.ssl_ca_file);
				} catch (const std::exception &e) {
					result.ok = false;
					result.error = e.what();
					return result;
				}
			}
		}
	}
	std::map<std::string, std::string> before = AsMap(current), after = AsMap(next);
	for (const auto &[key, value] : after) {
		auto it = before.find(key);
		if (it == before.end() || it->second != value)
			result.changes.push_back("parameter \"" + key + "\" changed to \"" + value + "\"");
	}
	if (result.changes.empty())
		result.changes.push_back("configuration reloaded: no change");
	return result;
}

} // namespace pgwatch_rpc::bin
