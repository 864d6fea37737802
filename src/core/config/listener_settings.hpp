// Settings of `pgwatch-rpc listen`. The launcher writes them as a key = value file from the
// pgwatch_rpc.* GUCs and sends SIGHUP on change; standalone users write the same file.
// Keys are the field names below: the GUC names without the "pgwatch_rpc." prefix, except
// that time keys carry their unit (GUC pgwatch_rpc.idle_timeout = key idle_timeout_ms).
#pragma once
#include "core/core_only.hpp"
#include "core/log/log.hpp"
#include "core/wire/limits.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pgwatch_rpc::config {

enum class AckMode { kDurable, kFast };

// AckModeName: "durable" or "fast", as written in the settings file and the GUC.
std::string AckModeName(AckMode mode);

struct ListenerSettings {
	std::vector<std::string> listen_addresses{"localhost"}; // "*" = all, "localhost" = ::1 + 127.0.0.1
	int port = 5051;
	bool tls = true;           // plaintext only when explicitly configured
	std::string ssl_cert_file; // PEM; empty = not configured
	std::string ssl_key_file;
	std::string ssl_ca_file; // when set, client certificates are required and verified
	AckMode ack = AckMode::kDurable;
	size_t max_message_size = 64u << 20; // bytes; table_stats of 10k tables is several MB
	wire::Limits limits;
	int max_concurrent_streams = 32; // per connection
	int max_connections = 256;
	int handshake_timeout_ms = 10000;
	int idle_timeout_ms = 600000;        // connection with no calls
	int request_timeout_ms = 30000;      // HEADERS to END_STREAM
	int batch_max_envelopes = 256;       // group commit
	int batch_linger_us = 0;             // extra wait for more envelopes before committing
	int64_t spool_max_size = 10LL << 30; // bytes; 0 = no cap
	std::string listener_name = "local";
	std::string log_min_messages = "log";
};

// ParseListenerSettings reads "key = value" lines (# comments, blank lines, optional single
// quotes around values as in postgresql.conf, with '' and backslash escapes inside them) and
// applies them on top of *out. Keys are the field names above; the limits.* fields are
// max_rows, max_depth, max_string_bytes, max_name_bytes, max_fields_per_struct. A key given
// twice takes its last value. Unknown keys and invalid or out-of-range values are errors:
// returns false, leaves *out unchanged and sets *error to "line N: <what is wrong and what
// is allowed>".
// Values: listen_addresses comma-separated; booleans on/off/true/false; ack durable|fast;
// sizes with B/kB/MB/GB/TB (1024-based; bare = bytes); times with us/ms/s/min/h/d (bare =
// the unit in the key's name); log_min_messages debug|info|log|warning|error.
bool ParseListenerSettings(const std::string &text, ListenerSettings *out, std::string *error);

// Render writes every setting in the same format (the launcher uses it); parsing its
// output gives back equal settings.
std::string RenderListenerSettings(const ListenerSettings &settings);

// LogLevelFromName maps a log_min_messages value to the child's log level.
bool LogLevelFromName(std::string_view name, log::Level *level);

} // namespace pgwatch_rpc::config
