// The file sink (sinks/file): its config keys, file names, the JSON Lines and CSV it writes
// (CSV read back with Python's csv module, an independent reader; pgwatch-envelope lines
// compared with libprotobuf's JSON of each envelope), rotation by size and at
// interval boundaries, retention, and recovery after crashes at every point between the
// write and the cursor move: bytes of an unacknowledged batch, a torn state line, records
// delivered again. Its shared behaviour is in conformance_test.cpp.
#include "conformance_kit.hpp"
#include "envelope_line_oracle.hpp"
#include "sink_test_records.hpp"

#include "core/json/document.hpp"
#include "sender/sample_records.hpp"
#include "sinks/file/file_kind.hpp"
#include "sinks/file/file_rows.hpp"
#include "sinks/file/file_sink.hpp"
#include "sinks/file/file_state.hpp"

#include "pgwatch.pb.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace pgwatch_rpc::sinks {
namespace {

using conformance::ScratchDir;
using nlohmann::json;
namespace fs = std::filesystem;

constexpr int64_t k1059 = 1795431570; // 2026-11-23T10:59:30Z

std::vector<sink::ConfigProblem> Validate(const json &config, const json &secrets = json::object()) {
	return FileKind().Validate(config, secrets);
}

std::string ProblemFor(const std::vector<sink::ConfigProblem> &problems, const std::string &key) {
	for (const sink::ConfigProblem &p : problems)
		if (p.key == key)
			return p.reason;
	return "";
}

std::vector<sink::Record> Samples(int count, int64_t first_seq) {
	sender::SampleOptions options;
	options.envelopes = count;
	options.first_seq = first_seq;
	options.seed = static_cast<uint64_t>(first_seq);
	options.epoch_ns = 1.8e18;
	return sender::SampleRecords(options);
}

sink::Batch BatchOf(std::vector<sink::Record> records) {
	sink::Batch batch;
	batch.records = std::move(records);
	return batch;
}

std::string Slurp(const std::string &path) {
	std::ifstream in(path, std::ios::binary);
	std::stringstream text;
	text << in.rdbuf();
	return text.str();
}

// DataFiles: the sink's files in dir, sorted by name (state and lock files excluded).
std::vector<std::string> DataFiles(const std::string &dir) {
	std::vector<std::string> names;
	for (const auto &entry : fs::directory_iterator(dir))
		if (entry.path().filename().string()[0] != '.')
			names.push_back(entry.path().filename().string());
	std::sort(names.begin(), names.end());
	return names;
}

// Lines: what the sink should write for the records (jsonl: the shared documents + row_id).
std::string JsonLines(const std::vector<sink::Record> &records) {
	RowWriter writer(FileFormat::kJsonLines);
	std::string out;
	for (const sink::Record &r : records)
		writer.AppendRecord(r, &out);
	return out;
}

struct Fixture {
	explicit Fixture(FileFormat format = FileFormat::kJsonLines) {
		settings.path = dir.path() + "/out";
		settings.format = format;
	}
	std::unique_ptr<sink::Sink> Sink() {
		return MakeFileSink("pg", settings, [this] { return now; });
	}
	std::string Path(const std::string &name) const { return settings.path + "/" + name; }

	ScratchDir dir;
	FileSettings settings;
	int64_t now = k1059;
};

TEST(FileKind, AcceptsAFullConfig) {
	EXPECT_EQ(Validate({{"path", "/var/lib/pgwatch"},
	                    {"format", "csv"},
	                    {"file_name", "{sink}-%Y-%m-%d_%H%M%S-%j.{ext}"},
	                    {"rotate_size", "10MB"},
	                    {"rotate_interval", "1h"},
	                    {"max_age", "7d"},
	                    {"max_files", 48},
	                    {"max_batch_rows", 1000}})
	              .size(),
	          0u);
	FileSettings settings;
	std::vector<sink::ConfigProblem> problems;
	ParseFileSettings(
	    {{"path", "/d"}, {"rotate_size", "512kB"}, {"rotate_interval", 7200}, {"max_age", "2d"}},
	    json::object(), &settings, &problems);
	EXPECT_EQ(settings.rotate_size, 512 * 1024);
	EXPECT_EQ(settings.rotate_interval_s, 7200);
	EXPECT_EQ(settings.max_age_s, 2 * 86400);
	EXPECT_EQ(settings.format, FileFormat::kJsonLines);
}

TEST(FileKind, EveryBadKeyIsNamedWithTheFix) {
	EXPECT_NE(ProblemFor(Validate(json::object()), "path").find("required"), std::string::npos);
	EXPECT_NE(ProblemFor(Validate({{"path", "relative/dir"}}), "path").find("absolute"), std::string::npos);
	std::vector<sink::ConfigProblem> problems = Validate({{"path", "/d"},
	                                                      {"format", "parquet"},
	                                                      {"rotate_size", "1kB"},
	                                                      {"rotate_interval", "30s"},
	                                                      {"max_age", "soon"},
	                                                      {"max_files", -1},
	                                                      {"compress", true}});
	for (const char *format : {"\"jsonl\"", "\"pgwatch-envelope\"", "\"csv\""})
		EXPECT_NE(ProblemFor(problems, "format").find(format), std::string::npos) << format;
	EXPECT_NE(ProblemFor(problems, "rotate_size").find("at least 4kB"), std::string::npos);
	EXPECT_NE(ProblemFor(problems, "rotate_interval").find("at least 60"), std::string::npos);
	EXPECT_NE(ProblemFor(problems, "max_age").find("\"7d\""), std::string::npos);
	EXPECT_NE(ProblemFor(problems, "max_files").find("0 = all"), std::string::npos);
	EXPECT_NE(ProblemFor(problems, "compress").find("unknown key"), std::string::npos);
	EXPECT_NE(
	    ProblemFor(Validate({{"path", "/d"}}, {{"password", "x"}}), "secrets.password").find("no secrets"),
	    std::string::npos);
	for (const char *pattern : {"a/b.{ext}", ".hidden", "%Y%q", "{sinks}.csv", "{sink", ""})
		EXPECT_NE(ProblemFor(Validate({{"path", "/d"}, {"file_name", pattern}}), "file_name"), "") << pattern;
}

TEST(FileKind, TakesEachFormatByName) {
	for (const char *name : {"jsonl", "csv", "pgwatch-envelope"}) {
		FileSettings settings;
		std::vector<sink::ConfigProblem> problems;
		ParseFileSettings({{"path", "/d"}, {"format", name}}, json::object(), &settings, &problems);
		EXPECT_TRUE(problems.empty()) << name;
		EXPECT_EQ(FormatName(settings.format), name);
	}
	EXPECT_NE(ProblemFor(Validate({{"path", "/d"}, {"format", "pgwatch"}}), "format"), "");
	EXPECT_NE(ProblemFor(Validate({{"path", "/d"}, {"format", 1}}), "format"), "");
}

TEST(FileKind, FileNamesExpandInUtc) {
	std::string name, problem;
	ASSERT_TRUE(ExpandFileName(FileSettings{}.file_name, "pg", FileFormat::kCsv, k1059, &name, &problem));
	EXPECT_EQ(name, "pg-20261123T105930Z.csv");
	EXPECT_FALSE(ExpandFileName("%j/%%", "pg", FileFormat::kCsv, k1059, &name, &problem));
	ASSERT_TRUE(ExpandFileName("day%j-100%%.{ext}", "pg", FileFormat::kJsonLines, k1059, &name, &problem));
	EXPECT_EQ(name, "day327-100%.jsonl");
}

TEST(FileSink, WritesTheSharedDocumentsWithRowIdsAndItsState) {
	Fixture f;
	std::vector<sink::Record> records = Samples(6, 1);
	sink::Outcome outcome = f.Sink()->Deliver(BatchOf(records));
	ASSERT_EQ(outcome.status, sink::Outcome::Status::kDelivered) << outcome.error;
	ASSERT_EQ(DataFiles(f.settings.path), std::vector<std::string>{"pg-20261123T105930Z.jsonl"});
	std::string text = Slurp(f.Path("pg-20261123T105930Z.jsonl"));
	EXPECT_EQ(text, JsonLines(records));
	EXPECT_EQ(json::parse(text.substr(0, text.find('\n'))).at("row_id").get<std::string>().size(), 64u);

	size_t valid = 0;
	std::string log = Slurp(f.Path(".pg.state"));
	FileState state = ParseStateLog(log, &valid);
	EXPECT_EQ(valid, log.size());
	ASSERT_TRUE(state.active);
	EXPECT_EQ(state.active->size, static_cast<int64_t>(text.size()));
	ASSERT_EQ(state.active->last_batch.size(), 1u);
	EXPECT_EQ(state.active->last_batch[0].first, 1);
	EXPECT_EQ(state.active->last_batch[0].last, 6);
}

TEST(FileSink, PgwatchEnvelopeWritesOneLineOfPgwatchsJsonfileShapePerEnvelope) {
	Fixture f(FileFormat::kPgwatchEnvelope);
	std::vector<sink::Record> records = Samples(6, 1);
	records.push_back(sink_test::RecordOf(sink_test::Canonical(), 7));
	sink::Outcome outcome = f.Sink()->Deliver(BatchOf(records));
	ASSERT_EQ(outcome.status, sink::Outcome::Status::kDelivered) << outcome.error;
	EXPECT_TRUE(outcome.rejected.empty());
	ASSERT_EQ(DataFiles(f.settings.path), std::vector<std::string>{"pg-20261123T105930Z.jsonl"});
	std::string text = Slurp(f.Path("pg-20261123T105930Z.jsonl"));
	std::vector<json> lines = sink_test::ParsedLines(text);
	ASSERT_EQ(lines.size(), records.size());
	for (size_t i = 0; i < records.size(); i++) {
		std::vector<std::string> keys;
		for (auto it = lines[i].begin(); it != lines[i].end(); ++it)
			keys.push_back(it.key());
		EXPECT_EQ(keys, (std::vector<std::string>{"custom_tags", "data", "dbname", "metric"})) << i;
		EXPECT_EQ(lines[i], sink_test::ExpectedEnvelopeLine(records[i])) << i;
	}
	// Byte for byte what pgwatch's jsonfile sink (Go's encoding/json, keys sorted, epoch_ns an
	// integer) writes for SINKS.md's canonical envelope.
	EXPECT_EQ(text.substr(text.rfind('\n', text.size() - 2) + 1),
	          "{\"custom_tags\":{\"env\":\"prod\"},\"data\":[{\"epoch_ns\":1795462940000000000,"
	          "\"in_recovery_int\":0,\"tag_sys_id\":\"7\",\"xlog_location_b\":100}],\"dbname\":\"db1\","
	          "\"metric\":\"wal\"}\n");
	size_t valid = 0;
	FileState state = ParseStateLog(Slurp(f.Path(".pg.state")), &valid);
	ASSERT_TRUE(state.active);
	EXPECT_EQ(state.active->format, FileFormat::kPgwatchEnvelope);
}

TEST(FileSink, PgwatchEnvelopeLinesStayOneValidDocumentWhateverThePayloadHolds) {
	Fixture f(FileFormat::kPgwatchEnvelope);
	MeasurementEnvelope env;
	env.set_dbname("db\"1\n{}");
	env.set_metricname("wal\\");
	(*env.mutable_customtags())["k\"ey\n"] = "v\r\n\"},{\u2028\x01</script>";
	auto &fields = *env.add_data()->mutable_fields();
	fields["epoch_ns"].set_number_value(1795462940000000000.0);
	fields["text"].set_string_value("line1\nline2\t\"q\"\\\x1f\xc3\xa9\xf0\x9f\x90\x98");
	fields["nan"].set_number_value(std::nan(""));
	auto &nested = *fields["nested"].mutable_struct_value()->mutable_fields();
	nested["list"].mutable_list_value()->add_values()->set_string_value("]\"}\n");
	nested["list"].mutable_list_value()->add_values()->set_bool_value(true);
	nested["\"}"].set_null_value(google::protobuf::NULL_VALUE);
	sink::Record record = sink_test::RecordOf(env, 1);
	ASSERT_EQ(f.Sink()->Deliver(BatchOf({record})).status, sink::Outcome::Status::kDelivered);

	std::string text = Slurp(f.Path("pg-20261123T105930Z.jsonl"));
	EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
	std::vector<json> lines = sink_test::ParsedLines(text);
	ASSERT_EQ(lines.size(), 1u);
	// NaN, which JSON cannot hold, is null (libprotobuf writes the string "NaN").
	EXPECT_TRUE(lines[0]["data"][0].at("nan").is_null());
	json expected = sink_test::ExpectedEnvelopeLine(record);
	expected["data"][0]["nan"] = nullptr;
	EXPECT_EQ(lines[0], expected);
}

TEST(FileSink, PgwatchEnvelopeRejectsRecordsItCannotDecodeAndWritesTheOthers) {
	Fixture f(FileFormat::kPgwatchEnvelope);
	std::vector<sink::Record> records = Samples(3, 1);
	records[1].payload = "\xff\xff";
	records[2].kind = sink::RecordKind::kSync;
	sink::Outcome outcome = f.Sink()->Deliver(BatchOf(records));
	ASSERT_EQ(outcome.status, sink::Outcome::Status::kDelivered) << outcome.error;
	ASSERT_EQ(outcome.rejected.size(), 2u);
	EXPECT_EQ(outcome.rejected[0].record_index, 1u);
	EXPECT_NE(outcome.rejected[0].reason, "");
	EXPECT_EQ(outcome.rejected[1].record_index, 2u);
	EXPECT_NE(outcome.rejected[1].reason.find("not a measurement"), std::string::npos);
	std::vector<json> lines = sink_test::ParsedLines(Slurp(f.Path("pg-20261123T105930Z.jsonl")));
	ASSERT_EQ(lines.size(), 1u);
	EXPECT_EQ(lines[0], sink_test::ExpectedEnvelopeLine(records[0]));
}

TEST(FileSink, CsvRoundTripsThroughPythonsCsvReader) {
	Fixture f(FileFormat::kCsv);
	MeasurementEnvelope env;
	env.set_dbname("db, \"quoted\"");
	env.set_metricname("wal");
	(*env.mutable_customtags())["env"] = "a\",\nb";
	auto &fields = *env.add_data()->mutable_fields();
	fields["epoch_ns"].set_number_value(1795462940000000000.0);
	fields["xlog_location_b"].set_number_value(100);
	fields["tag_sys_id"].set_string_value("7");
	sink::Record record;
	record.listener_id = 1;
	record.seq = 7;
	record.payload = env.SerializeAsString();
	ASSERT_EQ(f.Sink()->Deliver(BatchOf({record})).status, sink::Outcome::Status::kDelivered);

	std::string file = f.Path("pg-20261123T105930Z.csv");
	std::string command =
	    "python3 -c 'import csv, json, sys; print(json.dumps(list(csv.reader(open(sys.argv[1], "
	    "newline=\"\")))))' " +
	    file;
	FILE *pipe = popen(command.c_str(), "r");
	ASSERT_NE(pipe, nullptr);
	std::string out;
	char buffer[4096];
	for (size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;)
		out.append(buffer, n);
	ASSERT_EQ(pclose(pipe), 0) << out;
	json rows = json::parse(out);
	ASSERT_EQ(rows.size(), 2u);
	EXPECT_EQ(rows[0], json({"time", "epoch_ns", "dbname", "metric", "tags", "data", "row_id"}));
	EXPECT_EQ(rows[1][0], "2026-11-23T19:42:20.000000000Z");
	EXPECT_EQ(rows[1][1], "1795462940000000000");
	EXPECT_EQ(rows[1][2], "db, \"quoted\"");
	EXPECT_EQ(rows[1][3], "wal");
	EXPECT_EQ(json::parse(rows[1][4].get<std::string>()), json({{"env", "a\",\nb"}, {"sys_id", "7"}}));
	EXPECT_EQ(json::parse(rows[1][5].get<std::string>()), json({{"xlog_location_b", 100}}));
	EXPECT_EQ(rows[1][6].get<std::string>().size(), 64u);
}

TEST(FileSink, RotatesBySizeAndEveryFileStartsWithTheHeader) {
	Fixture f(FileFormat::kCsv);
	f.settings.rotate_size = 16 * 1024;
	std::unique_ptr<sink::Sink> sink = f.Sink();
	size_t rows = 0;
	for (int i = 0; i < 12; i++) {
		std::vector<sink::Record> records = Samples(3, 1 + 3 * i);
		for (const sink::Record &r : records)
			rows += static_cast<size_t>(r.nrows);
		f.now++; // names differ by second, as they would
		ASSERT_EQ(sink->Deliver(BatchOf(records)).status, sink::Outcome::Status::kDelivered);
	}
	std::vector<std::string> files = DataFiles(f.settings.path);
	EXPECT_GT(files.size(), 2u);
	size_t lines = 0;
	for (const std::string &name : files) {
		std::string text = Slurp(f.Path(name));
		EXPECT_EQ(text.rfind("time,epoch_ns,dbname,metric,tags,data,row_id\n", 0), 0u) << name;
		lines += static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) - 1;
	}
	EXPECT_EQ(lines, rows);
}

TEST(FileSink, RotatesAtIntervalBoundariesAndNamesFilesByTheirStart) {
	Fixture f;
	f.settings.rotate_interval_s = 3600;
	std::unique_ptr<sink::Sink> sink = f.Sink();
	ASSERT_EQ(sink->Deliver(BatchOf(Samples(1, 1))).status, sink::Outcome::Status::kDelivered);
	f.now = k1059 + 35; // 11:00:05
	ASSERT_EQ(sink->Deliver(BatchOf(Samples(1, 2))).status, sink::Outcome::Status::kDelivered);
	f.now = k1059 + 1800; // 11:29:30, same hour
	ASSERT_EQ(sink->Deliver(BatchOf(Samples(1, 3))).status, sink::Outcome::Status::kDelivered);
	EXPECT_EQ(DataFiles(f.settings.path),
	          (std::vector<std::string>{"pg-20261123T105930Z.jsonl", "pg-20261123T110005Z.jsonl"}));
	EXPECT_EQ(Slurp(f.Path("pg-20261123T110005Z.jsonl")),
	          JsonLines(Samples(1, 2)) + JsonLines(Samples(1, 3)));
}

TEST(FileSink, RetentionKeepsMaxFilesThenDropsFilesPastMaxAge) {
	Fixture f;
	f.settings.rotate_interval_s = 60;
	f.settings.max_files = 2;
	f.settings.file_name = "m%H%M.{ext}";
	{
		std::unique_ptr<sink::Sink> sink = f.Sink();
		for (int i = 0; i < 5; i++, f.now += 60)
			ASSERT_EQ(sink->Deliver(BatchOf(Samples(1, 1 + i))).status, sink::Outcome::Status::kDelivered);
	}
	EXPECT_EQ(DataFiles(f.settings.path),
	          (std::vector<std::string>{"m1101.jsonl", "m1102.jsonl", "m1103.jsonl"}));

	f.settings.max_files = 0;
	f.settings.max_age_s = 600;
	f.now += 480; // 11:12:30: m1101, closed at 11:02:30, is 10 min old; m1102 is not yet
	std::unique_ptr<sink::Sink> sink = f.Sink();
	ASSERT_EQ(sink->Deliver(BatchOf(Samples(1, 6))).status, sink::Outcome::Status::kDelivered);
	EXPECT_EQ(DataFiles(f.settings.path),
	          (std::vector<std::string>{"m1102.jsonl", "m1103.jsonl", "m1112.jsonl"}));
}

TEST(FileSink, ACrashAfterTheWriteCutsTheUnacknowledgedBytes) {
	Fixture f;
	std::vector<sink::Record> first = Samples(3, 1), second = Samples(4, 4);
	ASSERT_EQ(f.Sink()->Deliver(BatchOf(first)).status, sink::Outcome::Status::kDelivered);
	// The next batch reached the file, half of it, and the process died before its state line.
	std::string half = JsonLines(second).substr(0, 700);
	std::ofstream(f.Path("pg-20261123T105930Z.jsonl"), std::ios::app) << half;

	ASSERT_EQ(f.Sink()->Deliver(BatchOf(second)).status, sink::Outcome::Status::kDelivered);
	EXPECT_EQ(Slurp(f.Path("pg-20261123T105930Z.jsonl")), JsonLines(first) + JsonLines(second));
}

TEST(FileSink, ATornStateLineIsIgnoredAndRecordsWrittenBeforeAreNotWrittenAgain) {
	Fixture f;
	std::vector<sink::Record> first = Samples(3, 1), second = Samples(3, 4);
	{
		std::unique_ptr<sink::Sink> sink = f.Sink();
		ASSERT_EQ(sink->Deliver(BatchOf(first)).status, sink::Outcome::Status::kDelivered);
		ASSERT_EQ(sink->Deliver(BatchOf(second)).status, sink::Outcome::Status::kDelivered);
	}
	std::ofstream(f.Path(".pg.state"), std::ios::app) << "{\"size\":99999,\"bat";
	// The cursor stood after `first`: the restarted delivery sends `second` again, in a batch
	// cut differently, with a bad record among the repeated ones.
	std::vector<sink::Record> third = Samples(2, 7);
	std::vector<sink::Record> again = second;
	again[1].payload = "\xff\xff";
	again.insert(again.end(), third.begin(), third.end());
	sink::Outcome outcome = f.Sink()->Deliver(BatchOf(again));
	ASSERT_EQ(outcome.status, sink::Outcome::Status::kDelivered) << outcome.error;
	ASSERT_EQ(outcome.rejected.size(), 1u);
	EXPECT_EQ(outcome.rejected[0].record_index, 1u);
	EXPECT_EQ(Slurp(f.Path("pg-20261123T105930Z.jsonl")),
	          JsonLines(first) + JsonLines(second) + JsonLines(third));
	size_t valid = 0;
	std::string log = Slurp(f.Path(".pg.state"));
	ParseStateLog(log, &valid);
	EXPECT_EQ(valid, log.size());
}

TEST(FileSink, AChangedFormatStartsANewFile) {
	Fixture f;
	ASSERT_EQ(f.Sink()->Deliver(BatchOf(Samples(1, 1))).status, sink::Outcome::Status::kDelivered);
	f.settings.format = FileFormat::kCsv;
	f.now += 10;
	ASSERT_EQ(f.Sink()->Deliver(BatchOf(Samples(1, 2))).status, sink::Outcome::Status::kDelivered);
	EXPECT_EQ(DataFiles(f.settings.path),
	          (std::vector<std::string>{"pg-20261123T105930Z.jsonl", "pg-20261123T105940Z.csv"}));
	EXPECT_EQ(Slurp(f.Path("pg-20261123T105940Z.csv")).rfind("time,", 0), 0u);
}

TEST(FileSink, SwitchingToPgwatchEnvelopeStartsANewFileThatARestartKeeps) {
	Fixture f;
	ASSERT_EQ(f.Sink()->Deliver(BatchOf(Samples(1, 1))).status, sink::Outcome::Status::kDelivered);
	f.settings.format = FileFormat::kPgwatchEnvelope;
	f.now += 10;
	ASSERT_EQ(f.Sink()->Deliver(BatchOf(Samples(1, 2))).status, sink::Outcome::Status::kDelivered);
	f.now += 10; // a restart in the same format appends to the same file
	ASSERT_EQ(f.Sink()->Deliver(BatchOf(Samples(1, 3))).status, sink::Outcome::Status::kDelivered);
	EXPECT_EQ(DataFiles(f.settings.path),
	          (std::vector<std::string>{"pg-20261123T105930Z.jsonl", "pg-20261123T105940Z.jsonl"}));
	std::vector<json> lines = sink_test::ParsedLines(Slurp(f.Path("pg-20261123T105940Z.jsonl")));
	ASSERT_EQ(lines.size(), 2u);
	EXPECT_EQ(lines[1], sink_test::ExpectedEnvelopeLine(Samples(1, 3)[0]));
}

TEST(FileSink, NamesThatExistGetASuffix) {
	Fixture f;
	f.settings.file_name = "fixed.{ext}";
	f.settings.rotate_size = 4096;
	std::unique_ptr<sink::Sink> sink = f.Sink();
	for (int i = 0; i < 3; i++)
		ASSERT_EQ(sink->Deliver(BatchOf(Samples(2, 1 + 2 * i))).status, sink::Outcome::Status::kDelivered);
	EXPECT_EQ(DataFiles(f.settings.path),
	          (std::vector<std::string>{"fixed-1.jsonl", "fixed-2.jsonl", "fixed.jsonl"}));
}

TEST(FileSink, ASecondWriterOfTheSameSinkIsRefusedUntilTheFirstStops) {
	Fixture f;
	std::unique_ptr<sink::Sink> first = f.Sink();
	ASSERT_EQ(first->Deliver(BatchOf(Samples(1, 1))).status, sink::Outcome::Status::kDelivered);
	std::unique_ptr<sink::Sink> second = f.Sink();
	sink::Outcome outcome = second->Deliver(BatchOf(Samples(1, 2)));
	EXPECT_EQ(outcome.status, sink::Outcome::Status::kRetry);
	EXPECT_NE(outcome.error.find("another process is writing the files of sink \"pg\""), std::string::npos)
	    << outcome.error;
	first.reset();
	EXPECT_EQ(second->Deliver(BatchOf(Samples(1, 2))).status, sink::Outcome::Status::kDelivered);
}

TEST(FileSink, ADirectoryThatCannotBeCreatedIsARetryNamingIt) {
	Fixture f;
	std::ofstream(f.dir.path() + "/plain") << "a file, not a directory";
	f.settings.path = f.dir.path() + "/plain/out";
	sink::Outcome outcome = f.Sink()->Deliver(BatchOf(Samples(1, 1)));
	EXPECT_EQ(outcome.status, sink::Outcome::Status::kRetry);
	EXPECT_NE(outcome.error.find(f.dir.path() + "/plain"), std::string::npos) << outcome.error;
}

TEST(FileState, ParsesItsOwnTextAndStopsAtTheFirstBadLine) {
	FileState state;
	state.closed = {{"a.jsonl", 100}, {"b.jsonl", 200}};
	state.active = ActiveFile{"c.csv", FileFormat::kCsv, 300, 0, {{1, 5, 9}, {2, 1, 1}}};
	std::string text = StateLogText(state) + BatchLine(4096, {{1, 10, 20}});
	size_t valid = 0;
	FileState parsed = ParseStateLog(text + "{\"size\":1", &valid);
	EXPECT_EQ(valid, text.size());
	ASSERT_EQ(parsed.closed.size(), 2u);
	EXPECT_EQ(parsed.closed[1].name, "b.jsonl");
	ASSERT_TRUE(parsed.active);
	EXPECT_EQ(parsed.active->name, "c.csv");
	EXPECT_EQ(parsed.active->format, FileFormat::kCsv);
	EXPECT_EQ(parsed.active->size, 4096);
	ASSERT_EQ(parsed.active->last_batch.size(), 1u);
	EXPECT_EQ(parsed.active->last_batch[0].first, 10);

	EXPECT_FALSE(ParseStateLog("not json\n", &valid).active);
	EXPECT_EQ(valid, 0u);
	EXPECT_FALSE(ParseStateLog("{\"closed\":[]}\n{\"size\":5,\"batch\":[]}\n", &valid).active)
	    << "progress without a file is refused";
}

} // namespace
} // namespace pgwatch_rpc::sinks
