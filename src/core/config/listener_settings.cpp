// Meaning of each key of the listener's settings file: its type, unit, allowed range, and
// how it is rendered back. One table drives parsing and rendering, so they cannot drift.
#include "core/config/listener_settings.hpp"
#include "core/text/ascii.hpp"

#include "core/config/settings_file.hpp"
#include "core/config/value_units.hpp"

#include <cctype>
#include <limits>

namespace pgwatch_rpc::config {

namespace {

using Settings = ListenerSettings;

enum class Kind { kInt, kSize, kMillis, kMicros, kBool, kPath, kAddresses, kAck, kLogLevel, kName };

// Spec describes one key. Numeric kinds use get/set (values in the unit of the field);
// the others use the member pointers.
struct Spec {
	const char *name;
	Kind kind;
	int64_t min = 0;
	int64_t max = 0;
	int64_t (*get)(const Settings &) = nullptr;
	void (*set)(Settings &, int64_t) = nullptr;
	bool Settings::*flag = nullptr;
	std::string Settings::*text = nullptr;
};

constexpr int64_t kKB = 1024;
constexpr int64_t kMB = 1024 * kKB;
constexpr int64_t kGB = 1024 * kMB;
constexpr int64_t kTB = 1024 * kGB;
constexpr int64_t kSecondMs = 1000;
constexpr int64_t kMinuteMs = 60 * kSecondMs;
constexpr int64_t kHourMs = 60 * kMinuteMs;
constexpr size_t kMaxListenerNameBytes = 63; // NAMEDATALEN - 1: it is stored and shown in SQL

#define PGWATCH_RPC_NUMERIC(field, type)                                                                     \
	[](const Settings &s) { return static_cast<int64_t>(s.field); },                                         \
	    [](Settings &s, int64_t v) { s.field = static_cast<type>(v); }

const Spec kSpecs[] = {
    {"listen_addresses", Kind::kAddresses},
    {"port", Kind::kInt, 1, 65535, PGWATCH_RPC_NUMERIC(port, int)},
    {"tls", Kind::kBool, 0, 0, nullptr, nullptr, &Settings::tls},
    {"ssl_cert_file", Kind::kPath, 0, 0, nullptr, nullptr, nullptr, &Settings::ssl_cert_file},
    {"ssl_key_file", Kind::kPath, 0, 0, nullptr, nullptr, nullptr, &Settings::ssl_key_file},
    {"ssl_ca_file", Kind::kPath, 0, 0, nullptr, nullptr, nullptr, &Settings::ssl_ca_file},
    {"ack", Kind::kAck},
    {"max_message_size", Kind::kSize, kKB, kGB, PGWATCH_RPC_NUMERIC(max_message_size, size_t)},
    {"max_rows", Kind::kInt, 1, 10'000'000, PGWATCH_RPC_NUMERIC(limits.max_rows, size_t)},
    {"max_depth", Kind::kInt, 1, 100, PGWATCH_RPC_NUMERIC(limits.max_depth, int)},
    {"max_string_bytes", Kind::kSize, 1, kGB, PGWATCH_RPC_NUMERIC(limits.max_string_bytes, size_t)},
    {"max_name_bytes", Kind::kSize, 1, 64 * kKB, PGWATCH_RPC_NUMERIC(limits.max_name_bytes, size_t)},
    {"max_fields_per_struct", Kind::kInt, 1, 10'000'000,
     PGWATCH_RPC_NUMERIC(limits.max_fields_per_struct, size_t)},
    {"max_concurrent_streams", Kind::kInt, 1, 1000, PGWATCH_RPC_NUMERIC(max_concurrent_streams, int)},
    {"max_connections", Kind::kInt, 1, 100'000, PGWATCH_RPC_NUMERIC(max_connections, int)},
    {"handshake_timeout_ms", Kind::kMillis, 100, 10 * kMinuteMs,
     PGWATCH_RPC_NUMERIC(handshake_timeout_ms, int)},
    {"idle_timeout_ms", Kind::kMillis, kSecondMs, 24 * kHourMs, PGWATCH_RPC_NUMERIC(idle_timeout_ms, int)},
    {"request_timeout_ms", Kind::kMillis, 100, kHourMs, PGWATCH_RPC_NUMERIC(request_timeout_ms, int)},
    {"batch_max_envelopes", Kind::kInt, 1, 10'000, PGWATCH_RPC_NUMERIC(batch_max_envelopes, int)},
    {"batch_linger_us", Kind::kMicros, 0, 1'000'000, PGWATCH_RPC_NUMERIC(batch_linger_us, int)},
    {"spool_max_size", Kind::kSize, 0, 1024 * kTB, PGWATCH_RPC_NUMERIC(spool_max_size, int64_t)},
    {"listener_name", Kind::kName, 0, 0, nullptr, nullptr, nullptr, &Settings::listener_name},
    {"log_min_messages", Kind::kLogLevel, 0, 0, nullptr, nullptr, nullptr, &Settings::log_min_messages},
};

#undef PGWATCH_RPC_NUMERIC

constexpr const char *kLogLevelNames[] = {"debug", "info", "log", "warning", "error"};
constexpr log::Level kLogLevels[] = {log::Level::kDebug, log::Level::kInfo, log::Level::kLog,
                                     log::Level::kWarning, log::Level::kError};

std::string Lower(std::string_view text) {
	std::string out;
	for (char c : text)
		out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
	return out;
}

std::string TrimmedCopy(std::string_view text) { return std::string(text::TrimSpace(text)); }

std::string Quoted(std::string_view value) {
	return "\"" + std::string(value) + "\"";
}

// FormatNumber writes a bound or a value in the unit people would type.
std::string FormatNumber(Kind kind, int64_t value) {
	switch (kind) {
	case Kind::kSize:
		return value == 0 ? "0" : FormatSize(value);
	case Kind::kMillis:
		return value == 0 ? "0" : FormatDuration(value, kMicrosPerMilli);
	case Kind::kMicros:
		return value == 0 ? "0" : FormatDuration(value, 1);
	default:
		return std::to_string(value);
	}
}

bool ParseInt(std::string_view text, int64_t *value) {
	std::string trimmed = TrimmedCopy(text);
	if (trimmed.empty())
		return false;
	int64_t result = 0;
	for (char c : trimmed) {
		if (c < '0' || c > '9')
			return false;
		if (result > (std::numeric_limits<int64_t>::max() - (c - '0')) / 10)
			return false;
		result = result * 10 + (c - '0');
	}
	*value = result;
	return true;
}

// IsAddressChar: host names, IPv4/IPv6 literals (with brackets and %zone), "*".
bool IsAddressChar(char c) {
	return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_' || c == ':' ||
	       c == '[' || c == ']' || c == '%' || c == '*';
}

bool IsNameChar(char c) {
	return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
}

// ApplyNumeric parses, range-checks and stores one numeric value; *error without the line.
bool ApplyNumeric(const Spec &spec, const std::string &value, Settings *settings, std::string *error) {
	int64_t parsed = 0;
	bool ok = false;
	std::string expected;
	switch (spec.kind) {
	case Kind::kInt:
		ok = ParseInt(value, &parsed);
		expected = "a whole number";
		break;
	case Kind::kSize:
		ok = ParseSize(value, &parsed);
		expected = "a size such as 64MB (units B, kB, MB, GB, TB; 1kB = 1024 bytes)";
		break;
	case Kind::kMillis:
		ok = ParseDuration(value, kMicrosPerMilli, &parsed);
		expected = "a whole number of milliseconds, or a time such as 30s (units ms, s, min, h, d)";
		break;
	case Kind::kMicros:
		ok = ParseDuration(value, 1, &parsed);
		expected = "a whole number of microseconds, or a time such as 2ms (units us, ms, s, min, h, d)";
		break;
	default:
		break;
	}
	if (!ok || parsed < spec.min || parsed > spec.max) {
		if (!ok)
			*error = std::string(spec.name) + " must be " + expected + ", not " + Quoted(value);
		else
			*error = std::string(spec.name) + " must be between " + FormatNumber(spec.kind, spec.min) +
			         " and " + FormatNumber(spec.kind, spec.max) + ", not " + Quoted(value);
		return false;
	}
	spec.set(*settings, parsed);
	return true;
}

bool ApplyAddresses(const std::string &value, Settings *settings, std::string *error) {
	std::vector<std::string> addresses;
	size_t start = 0;
	while (start <= value.size()) {
		size_t comma = value.find(',', start);
		if (comma == std::string::npos)
			comma = value.size();
		std::string entry = TrimmedCopy(std::string_view(value).substr(start, comma - start));
		start = comma + 1;
		if (entry.empty()) {
			*error = "listen_addresses has an empty entry in " + Quoted(value) +
			         "; list host names or IP addresses separated by commas, \"*\" for all or \"localhost\"";
			return false;
		}
		for (char c : entry) {
			if (!IsAddressChar(c)) {
				*error = "listen_addresses entry " + Quoted(entry) + " is not a host name or IP address";
				return false;
			}
		}
		if (entry.find('*') != std::string::npos && entry != "*") {
			*error = "listen_addresses entry " + Quoted(entry) +
			         " is not a host name or IP address (\"*\" stands alone)";
			return false;
		}
		addresses.push_back(entry);
	}
	settings->listen_addresses = std::move(addresses);
	return true;
}

// ApplyOther handles the non-numeric kinds.
bool ApplyOther(const Spec &spec, const std::string &value, Settings *settings, std::string *error) {
	switch (spec.kind) {
	case Kind::kBool:
		if (!ParseBool(value, &(settings->*spec.flag))) {
			*error = std::string(spec.name) + " must be on or off, not " + Quoted(value);
			return false;
		}
		return true;
	case Kind::kPath:
		for (char c : value) {
			if (c == '\0' || c == '\n' || c == '\r') {
				*error = std::string(spec.name) + " must be a file path without control characters";
				return false;
			}
		}
		settings->*spec.text = value;
		return true;
	case Kind::kAddresses:
		return ApplyAddresses(value, settings, error);
	case Kind::kAck: {
		std::string lower = Lower(TrimmedCopy(value));
		if (lower == "durable")
			settings->ack = AckMode::kDurable;
		else if (lower == "fast")
			settings->ack = AckMode::kFast;
		else {
			*error = "ack must be durable or fast, not " + Quoted(value);
			return false;
		}
		return true;
	}
	case Kind::kLogLevel: {
		std::string lower = Lower(TrimmedCopy(value));
		log::Level level;
		if (!LogLevelFromName(lower, &level)) {
			*error = "log_min_messages must be debug, info, log, warning or error, not " + Quoted(value);
			return false;
		}
		settings->*spec.text = lower;
		return true;
	}
	case Kind::kName: {
		bool ok = !value.empty() && value.size() <= kMaxListenerNameBytes;
		for (char c : value)
			ok = ok && IsNameChar(c);
		if (!ok) {
			*error = std::string(spec.name) + " must be 1 to " + std::to_string(kMaxListenerNameBytes) +
			         " characters from [A-Za-z0-9_.-], not " + Quoted(value);
			return false;
		}
		settings->*spec.text = value;
		return true;
	}
	default:
		return ApplyNumeric(spec, value, settings, error);
	}
}

const Spec *FindSpec(const std::string &key) {
	for (const Spec &spec : kSpecs) {
		if (key == spec.name)
			return &spec;
	}
	return nullptr;
}

std::string RenderValue(const Spec &spec, const Settings &settings) {
	switch (spec.kind) {
	case Kind::kBool:
		return settings.*spec.flag ? "on" : "off";
	case Kind::kPath:
	case Kind::kName:
	case Kind::kLogLevel:
		return QuoteSettingValue(settings.*spec.text);
	case Kind::kAddresses: {
		std::string joined;
		for (const std::string &address : settings.listen_addresses) {
			if (!joined.empty())
				joined += ", ";
			joined += address;
		}
		return QuoteSettingValue(joined);
	}
	case Kind::kAck:
		return AckModeName(settings.ack);
	default:
		return FormatNumber(spec.kind, spec.get(settings));
	}
}

} // namespace

std::string AckModeName(AckMode mode) {
	return mode == AckMode::kFast ? "fast" : "durable";
}

bool LogLevelFromName(std::string_view name, log::Level *level) {
	for (size_t i = 0; i < std::size(kLogLevelNames); i++) {
		if (name == kLogLevelNames[i]) {
			*level = kLogLevels[i];
			return true;
		}
	}
	return false;
}

bool ParseListenerSettings(const std::string &text, ListenerSettings *out, std::string *error) {
	std::vector<SettingLine> lines;
	if (!SplitSettingsFile(text, &lines, error))
		return false;
	ListenerSettings settings = *out;
	for (const SettingLine &line : lines) {
		const Spec *spec = FindSpec(line.key);
		std::string problem;
		if (spec == nullptr) {
			problem = "unknown setting " + Quoted(line.key);
			if (line.key.rfind("pgwatch_rpc.", 0) == 0)
				problem += " (write keys without the \"pgwatch_rpc.\" prefix)";
		} else {
			ApplyOther(*spec, line.value, &settings, &problem);
		}
		if (!problem.empty()) {
			*error = "line " + std::to_string(line.line) + ": " + problem;
			return false;
		}
	}
	if (settings.ssl_cert_file.empty() != settings.ssl_key_file.empty()) {
		*error = "ssl_cert_file and ssl_key_file must be set together (or both left empty)";
		return false;
	}
	*out = std::move(settings);
	return true;
}

std::string RenderListenerSettings(const ListenerSettings &settings) {
	std::string out = "# pgwatch-rpc listen settings\n";
	for (const Spec &spec : kSpecs) {
		out += spec.name;
		out += " = ";
		out += RenderValue(spec, settings);
		out += '\n';
	}
	return out;
}

} // namespace pgwatch_rpc::config
