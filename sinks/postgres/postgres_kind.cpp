// Config parsing and validation of the "postgres" sink kind (see postgres_kind.hpp).
#include "sinks/postgres/postgres_kind.hpp"

#include "core/delivery/delivery_config.hpp"

#include <cctype>

namespace pgwatch_rpc::sinks {
namespace {

constexpr int64_t kHour = 3600;

// UnitSeconds: seconds in one `unit`, or 0 if the unit is not accepted.
int64_t UnitSeconds(std::string_view unit) {
	struct Unit {
		std::string_view name;
		int64_t seconds;
	};
	static const Unit kUnits[] = {
	    {"s", 1},         {"sec", 1},      {"secs", 1},      {"second", 1},  {"seconds", 1},
	    {"m", 60},        {"min", 60},     {"mins", 60},     {"minute", 60}, {"minutes", 60},
	    {"h", kHour},     {"hour", kHour}, {"hours", kHour}, {"d", 86400},   {"day", 86400},
	    {"days", 86400},  {"w", 604800},   {"week", 604800}, {"weeks", 604800},
	};
	for (const Unit &u : kUnits)
		if (u.name == unit)
			return u.seconds;
	return 0;
}

// ReadInterval parses key as an interval with at least `min_s` seconds (or 0 if zero_ok).
void ReadInterval(const nlohmann::json &config, const char *key, int64_t min_s, bool zero_ok,
                  const char *example, int64_t *out, std::vector<sink::ConfigProblem> *problems) {
	auto it = config.find(key);
	if (it == config.end())
		return;
	int64_t seconds = 0;
	if (!it->is_string() || !ParsePgwatchInterval(it->get<std::string>(), &seconds)) {
		problems->push_back({key, std::string("must be an interval such as '") + example + "'" +
		                              (zero_ok ? " or '0'" : "")});
		return;
	}
	if (seconds == 0 && zero_ok) {
		*out = 0;
		return;
	}
	if (seconds < min_s) {
		problems->push_back({key, std::string("must be at least 1 hour") + (zero_ok ? " (or '0')" : "")});
		return;
	}
	*out = seconds;
}

} // namespace

bool ParsePgwatchInterval(std::string_view text, int64_t *seconds) {
	// Bounds keep the arithmetic far from overflow: 1e6 of any unit, 1e12 s in total.
	constexpr int64_t kMaxCount = 1000000;
	constexpr int64_t kMaxTotal = 1000000000000;
	size_t i = 0;
	auto skip_spaces = [&] {
		while (i < text.size() && text[i] == ' ')
			i++;
	};
	int64_t total = 0;
	bool any = false;
	while (true) {
		skip_spaces();
		if (i == text.size())
			break;
		int64_t count = 0;
		size_t digits = 0;
		while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
			count = count * 10 + (text[i] - '0');
			if (count > kMaxCount)
				return false;
			i++;
			digits++;
		}
		if (digits == 0)
			return false;
		skip_spaces();
		size_t unit_start = i;
		while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i])))
			i++;
		std::string_view unit_name = text.substr(unit_start, i - unit_start);
		if (unit_name.empty() && count == 0 && !any) {
			any = true; // a bare "0" (pgwatch's "disabled")
			continue;
		}
		int64_t unit = UnitSeconds(unit_name);
		if (unit == 0)
			return false;
		total += count * unit;
		if (total > kMaxTotal)
			return false;
		any = true;
	}
	if (!any)
		return false;
	*seconds = total;
	return true;
}

void ParsePostgresSettings(const nlohmann::json &config, const nlohmann::json &secrets,
                           PostgresSettings *out, std::vector<sink::ConfigProblem> *problems) {
	for (auto it = config.begin(); it != config.end(); ++it) {
		const std::string &key = it.key();
		if (delivery::IsEngineKey(key))
			continue;
		if (key == "conninfo") {
			if (!it->is_string() || it->get<std::string>().empty()) {
				problems->push_back({key, "must be a non-empty libpq connection string or URI "
				                          "(leave it out to write into the hub's own database)"});
				continue;
			}
			out->has_conninfo = true;
			out->conninfo = it->get<std::string>();
		} else if (key == "schema_type") {
			std::string value = it->is_string() ? it->get<std::string>() : "";
			if (value == "timescale")
				problems->push_back({key, "timescale is not supported: TimescaleDB is not packaged for "
				                          "this platform; use auto or postgres"});
			else if (value != "auto" && value != "postgres")
				problems->push_back({key, "must be auto or postgres"});
		} else if (key == "create_schema") {
			if (!it->is_boolean())
				problems->push_back({key, "must be true or false"});
			else
				out->create_schema = it->get<bool>();
		} else if (key != "partition_interval" && key != "retention" && key != "maintenance_interval") {
			problems->push_back({key, "unknown key; the postgres sink accepts conninfo, partition_interval, "
			                          "retention, maintenance_interval, schema_type, create_schema and the "
			                          "delivery keys"});
		}
	}
	ReadInterval(config, "partition_interval", kHour, false, "1 day", &out->partition_interval_s, problems);
	ReadInterval(config, "retention", kHour, true, "14 days", &out->retention_s, problems);
	ReadInterval(config, "maintenance_interval", 1, true, "12 hours", &out->maintenance_interval_s, problems);

	for (auto it = secrets.begin(); it != secrets.end(); ++it) {
		if (it.key() != "password") {
			problems->push_back({"secrets." + it.key(), "unknown secret; the postgres sink accepts password"});
			continue;
		}
		if (!it->is_string())
			problems->push_back({"secrets.password", "must be a string"});
		else
			out->password = it->get<std::string>();
	}
}

std::vector<sink::ConfigProblem> PostgresKind::Validate(const nlohmann::json &config,
                                                        const nlohmann::json &secrets) const {
	PostgresSettings settings;
	std::vector<sink::ConfigProblem> problems;
	ParsePostgresSettings(config, secrets, &settings, &problems);
	return problems;
}

} // namespace pgwatch_rpc::sinks
