// The lexical layer of the settings file: "key = value" lines as in postgresql.conf. It knows
// nothing about which keys exist; listener_settings.cpp gives them meaning.
#pragma once
#include "core/core_only.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace pgwatch_rpc::config {

struct SettingLine {
	int line = 0;      // 1-based, for error messages
	std::string key;   // lower-cased
	std::string value; // quotes removed and escapes resolved
};

// SplitSettingsFile: blank lines and "# comments" are skipped; the '=' is optional as in
// postgresql.conf; a value is either single-quoted ('' or \' for a quote, \\ \n \r \t) or
// runs to the end of the line or a '#', trimmed. False with *error = "line N: ..." on a
// syntax error.
bool SplitSettingsFile(std::string_view text, std::vector<SettingLine> *lines, std::string *error);

// QuoteSettingValue: value in single quotes with the escapes SplitSettingsFile reads back.
std::string QuoteSettingValue(std::string_view value);

} // namespace pgwatch_rpc::config
