// The "postgres" sink kind: its config keys (SINKS.md §1.5), parsed into PostgresSettings
// with pgwatch's defaults, and the validator rpc_sink_add runs. Pure: no I/O, no libpq (this
// file is linked into the extension as well as into the delivery child).
#pragma once
#include "core/core_only.hpp"
#include "core/sink/sink_kind.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pgwatch_rpc::sinks {

// PostgresSettings: the sink's own keys with pgwatch's defaults. Intervals are seconds.
struct PostgresSettings {
	bool has_conninfo = false; // false: write into the hub's own database (local mode)
	std::string conninfo;
	std::string password;                       // secrets.password; empty = none
	int64_t partition_interval_s = 86400;       // --partition-interval '1 day'
	int64_t retention_s = 14 * 86400;           // --retention '14 days'; 0 = keep for ever
	int64_t maintenance_interval_s = 12 * 3600; // --maintenance-interval '12 hours'; 0 = never
	bool create_schema = true;                  // bootstrap pgwatch's schema when `admin` is missing
};

// ParsePgwatchInterval reads an interval the way pgwatch's options are written: "0" or one
// or more "<count> <unit>" pairs ("1 day", "12 hours", "1 day 12 hours", "90 minutes");
// units second(s)/sec(s)/s, minute(s)/min(s)/m, hour(s)/h, day(s)/d, week(s)/w. False on
// anything else (no months: their length varies).
bool ParsePgwatchInterval(std::string_view text, int64_t *seconds);

// ParsePostgresSettings fills *out from config and secrets (defaults for absent keys) and
// appends a problem per unknown key or bad value. Engine keys are skipped.
void ParsePostgresSettings(const nlohmann::json &config, const nlohmann::json &secrets,
                           PostgresSettings *out, std::vector<sink::ConfigProblem> *problems);

class PostgresKind : public sink::SinkKind {
public:
	std::string_view Name() const override { return "postgres"; }
	std::string_view Summary() const override {
		return "pgwatch's PostgreSQL storage schema, in the hub's database or a remote one (conninfo)";
	}
	std::vector<sink::ConfigProblem> Validate(const nlohmann::json &config,
	                                          const nlohmann::json &secrets) const override;
	// "password" (secrets) and "conninfo" (config): a libpq URI or key=value string may carry
	// a password (postgresql://u:pw@host, password=pw). Telling whether it does would mean
	// parsing libpq's syntax here; redacting the whole conninfo is simpler and never leaks.
	std::vector<std::string> SecretKeys() const override { return {"password", "conninfo"}; }
};

} // namespace pgwatch_rpc::sinks
