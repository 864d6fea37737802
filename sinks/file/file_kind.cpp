// Config parsing and validation of the "file" sink kind (see file_kind.hpp).
#include "sinks/file/file_kind.hpp"

#include "core/config/value_units.hpp"
#include "core/delivery/delivery_config.hpp"

#include <cmath>
#include <ctime>

namespace pgwatch_rpc::sinks {
namespace {

using Problems = std::vector<sink::ConfigProblem>;

constexpr size_t kMaxNameBytes = 255; // NAME_MAX of Linux file systems
constexpr int64_t kMinRotateSize = 4096;
constexpr int64_t kMicrosPerSecond = 1'000'000;

constexpr std::string_view kKeys =
    "path, format, file_name, rotate_size, rotate_interval, max_age, max_files and the delivery keys";

void AppendPadded(int value, int width, std::string *out) {
	std::string digits = std::to_string(value);
	out->append(digits.size() < static_cast<size_t>(width) ? width - digits.size() : 0, '0');
	out->append(digits);
}

// WholeNumber: a JSON number that is a whole number in [0, max] (jsonb may hand back 1000
// written as 1e3), else -1.
int64_t WholeNumber(const nlohmann::json &value, double max) {
	double d = value.is_number() ? value.get<double>() : -1;
	return d >= 0 && d <= max && d == std::floor(d) ? static_cast<int64_t>(d) : -1;
}

// ReadSize: "100MB", "512kB" or a number of bytes; 0 turns rotation by size off.
void ReadSize(const nlohmann::json &value, const std::string &key, int64_t *out, Problems *problems) {
	int64_t bytes = WholeNumber(value, 9e18);
	if (value.is_string() && !config::ParseSize(value.get<std::string>(), &bytes))
		bytes = -1;
	if (bytes < 0 || (bytes > 0 && bytes < kMinRotateSize)) {
		problems->push_back(
		    {key, "must be a size such as \"100MB\" or \"512kB\" (at least 4kB), or 0 to turn it "
		          "off, not " +
		              value.dump()});
		return;
	}
	*out = bytes;
}

// ReadSeconds: "1h", "30min", "7d" or a number of seconds, at least min_s (or 0 = off).
void ReadSeconds(const nlohmann::json &value, const std::string &key, int64_t min_s, int64_t *out,
                 Problems *problems) {
	int64_t seconds = WholeNumber(value, 9e12);
	if (value.is_string() && !config::ParseDuration(value.get<std::string>(), kMicrosPerSecond, &seconds))
		seconds = -1;
	if (seconds < 0 || (seconds > 0 && seconds < min_s)) {
		problems->push_back(
		    {key, "must be a whole number of seconds of at least " + std::to_string(min_s) +
		              ", written like \"1h\", \"30min\" or \"7d\", or 0 to turn it off, not " +
		              value.dump()});
		return;
	}
	*out = seconds;
}

void ReadPath(const nlohmann::json &value, std::string *out, Problems *problems) {
	std::string path = value.is_string() ? value.get<std::string>() : "";
	if (path.empty() || path[0] != '/' || path.find('\0') != std::string::npos) {
		problems->push_back(
		    {"path", "must be the absolute path of a directory the delivery process may write "
		             "(it runs as the database server's OS user), not " +
		                 value.dump()});
		return;
	}
	*out = path;
}

} // namespace

std::string_view FormatExtension(FileFormat format) {
	return format == FileFormat::kCsv ? "csv" : "jsonl";
}

std::string_view FormatName(FileFormat format) {
	switch (format) {
	case FileFormat::kCsv:
		return "csv";
	case FileFormat::kPgwatchEnvelope:
		return "pgwatch-envelope";
	case FileFormat::kJsonLines:
		break;
	}
	return "jsonl";
}

bool ParseFormatName(std::string_view name, FileFormat *format) {
	for (FileFormat known : {FileFormat::kJsonLines, FileFormat::kCsv, FileFormat::kPgwatchEnvelope})
		if (name == FormatName(known)) {
			*format = known;
			return true;
		}
	return false;
}

bool ExpandFileName(std::string_view pattern, std::string_view sink_name, FileFormat format, int64_t unix_s,
                    std::string *out, std::string *problem) {
	time_t t = static_cast<time_t>(unix_s);
	struct tm tm {};
	gmtime_r(&t, &tm);
	out->clear();
	for (size_t i = 0; i < pattern.size(); i++) {
		char c = pattern[i];
		if (c == '{') {
			size_t close = pattern.find('}', i);
			std::string_view name =
			    pattern.substr(i + 1, close == std::string_view::npos ? 0 : close - i - 1);
			if (close != std::string_view::npos && name == "sink") {
				out->append(sink_name);
			} else if (close != std::string_view::npos && name == "ext") {
				out->append(FormatExtension(format));
			} else {
				*problem = "knows the placeholders {sink} and {ext} only";
				return false;
			}
			i = close;
		} else if (c == '%') {
			char conversion = i + 1 < pattern.size() ? pattern[++i] : '\0';
			const struct {
				char name;
				int value;
				int width;
			} fields[] = {{'Y', tm.tm_year + 1900, 4}, {'m', tm.tm_mon + 1, 2}, {'d', tm.tm_mday, 2},
			              {'H', tm.tm_hour, 2},        {'M', tm.tm_min, 2},     {'S', tm.tm_sec, 2},
			              {'j', tm.tm_yday + 1, 3}};
			bool known = conversion == '%';
			if (known)
				out->push_back('%');
			for (const auto &field : fields)
				if (field.name == conversion) {
					AppendPadded(field.value, field.width, out);
					known = true;
				}
			if (!known) {
				*problem = "knows the conversions %Y %m %d %H %M %S %j and %% only (times are UTC)";
				return false;
			}
		} else if (c == '/' || c == '\0') {
			*problem = "must be a file name, without '/': the directory is the path key";
			return false;
		} else {
			out->push_back(c);
		}
	}
	if (out->empty() || (*out)[0] == '.' || out->size() > kMaxNameBytes) {
		*problem =
		    "must give a name of 1 to 255 bytes that does not start with '.' (hidden names are the sink's "
		    "own state files)";
		return false;
	}
	return true;
}

void ParseFileSettings(const nlohmann::json &config, const nlohmann::json &secrets, FileSettings *out,
                       std::vector<sink::ConfigProblem> *problems) {
	bool has_path = false;
	for (auto it = config.begin(); it != config.end(); ++it) {
		const std::string &key = it.key();
		const nlohmann::json &value = it.value();
		if (delivery::IsEngineKey(key))
			continue;
		if (key == "path") {
			has_path = true;
			ReadPath(value, &out->path, problems);
		} else if (key == "format") {
			if (!value.is_string() || !ParseFormatName(value.get<std::string>(), &out->format))
				problems->push_back(
				    {key, "must be \"jsonl\" (one JSON document per row), \"pgwatch-envelope\" "
				          "(one line per envelope, as pgwatch's jsonfile sink writes) or "
				          "\"csv\", not " +
				              value.dump()});
		} else if (key == "file_name") {
			std::string name, problem;
			// A sample expansion checks the pattern; "sink" stands for any valid sink name.
			if (!value.is_string())
				problems->push_back(
				    {key,
				     "must be a file name pattern such as \"{sink}-%Y%m%d.{ext}\", not " + value.dump()});
			else if (!ExpandFileName(value.get<std::string>(), "sink", out->format, 0, &name, &problem))
				problems->push_back({key, problem});
			else
				out->file_name = value.get<std::string>();
		} else if (key == "rotate_size") {
			ReadSize(value, key, &out->rotate_size, problems);
		} else if (key == "rotate_interval") {
			ReadSeconds(value, key, 60, &out->rotate_interval_s, problems);
		} else if (key == "max_age") {
			ReadSeconds(value, key, 60, &out->max_age_s, problems);
		} else if (key == "max_files") {
			int64_t count = WholeNumber(value, 1e6);
			if (count >= 0)
				out->max_files = count;
			else
				problems->push_back(
				    {key, "must be a whole number of closed files to keep (0 = all), not " + value.dump()});
		} else {
			problems->push_back({key, "unknown key; the file sink accepts " + std::string(kKeys)});
		}
	}
	if (!has_path)
		problems->push_back(
		    {"path", "is required: the absolute path of the directory to write the files into"});
	for (auto it = secrets.begin(); it != secrets.end(); ++it)
		problems->push_back({"secrets." + it.key(), "unknown secret; the file sink takes no secrets"});
}

std::vector<sink::ConfigProblem> FileKind::Validate(const nlohmann::json &config,
                                                    const nlohmann::json &secrets) const {
	FileSettings settings;
	std::vector<sink::ConfigProblem> problems;
	ParseFileSettings(config, secrets, &settings, &problems);
	return problems;
}

} // namespace pgwatch_rpc::sinks
