// The "file" sink kind (SINKS.md §14.2): its config keys parsed into FileSettings, the
// validator rpc_sink_add runs, and the file-name pattern both share. Pure: no I/O (this file
// is linked into the extension as well as into the delivery child).
#pragma once
#include "core/core_only.hpp"
#include "core/sink/sink_kind.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pgwatch_rpc::sinks {

// kJsonLines: a row document per line; kPgwatchEnvelope: an envelope per line, as pgwatch's
// jsonfile sink writes (core/json/envelope_line.hpp); kCsv: a row per line.
enum class FileFormat { kJsonLines, kCsv, kPgwatchEnvelope };

// FileSettings: the sink's keys with their defaults. Zero turns a limit off.
struct FileSettings {
	std::string path; // absolute directory; created if missing
	FileFormat format = FileFormat::kJsonLines;
	std::string file_name = "{sink}-%Y%m%dT%H%M%SZ.{ext}";
	int64_t rotate_size = int64_t{100} << 20; // bytes (pgwatch's jsonfile sink: 100 MB)
	int64_t rotate_interval_s = 86400;        // files end at multiples of this, UTC
	int64_t max_age_s = 0;                    // closed files older than this are deleted
	int64_t max_files = 0;                    // closed files kept, oldest deleted first
};

// FormatExtension: "jsonl" or "csv", what {ext} expands to.
std::string_view FormatExtension(FileFormat format);

// FormatName: the format key's value ("jsonl", "csv", "pgwatch-envelope"); ParseFormatName
// reads it back, false for anything else.
std::string_view FormatName(FileFormat format);
bool ParseFormatName(std::string_view name, FileFormat *format);

// ExpandFileName expands a file_name pattern for a file opened at unix_s (UTC): {sink} is the
// sink's name, {ext} the format's extension, %Y %m %d %H %M %S %j the strftime fields and %%
// a percent sign. False (with *problem) if the pattern has anything else, a '/', a leading
// '.' (hidden names are the sink's own), or expands to an empty or overlong name.
bool ExpandFileName(std::string_view pattern, std::string_view sink_name, FileFormat format, int64_t unix_s,
                    std::string *out, std::string *problem);

// ParseFileSettings fills *out from config (defaults for absent keys) and appends a problem
// per unknown key or bad value; the file sink takes no secrets. Engine keys are skipped.
void ParseFileSettings(const nlohmann::json &config, const nlohmann::json &secrets, FileSettings *out,
                       std::vector<sink::ConfigProblem> *problems);

class FileKind : public sink::SinkKind {
public:
	std::string_view Name() const override { return "file"; }
	std::string_view Summary() const override {
		return "JSON Lines (row documents or pgwatch's jsonfile envelopes) or CSV files in a local "
		       "directory, rotated by size and time, written durably";
	}
	std::vector<sink::ConfigProblem> Validate(const nlohmann::json &config,
	                                          const nlohmann::json &secrets) const override;
};

} // namespace pgwatch_rpc::sinks
