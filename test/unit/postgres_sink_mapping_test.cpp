// The postgres sink's pure parts: SINKS.md §0.3's canonical envelope mapped to the exact
// data/tag_data of §1.2 (through the real wire path: libprotobuf bytes → PayloadToJson →
// MapEnvelope), Go %v stringification of tags, Go encoding/json numbers, envelope time,
// COPY text escaping, config validation and SQLSTATE classes.
#include "core/wire/payload_json.hpp"
#include "sinks/postgres/copy_text.hpp"
#include "sinks/postgres/pg_errors.hpp"
#include "sinks/postgres/postgres_kind.hpp"
#include "sinks/postgres/row_mapping.hpp"

#include "pgwatch.pb.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>

namespace sinks = pgwatch_rpc::sinks;
namespace wire = pgwatch_rpc::wire;
using nlohmann::json;

namespace {

// Decode: the bytes as the spool holds them, rendered and parsed as the sink does.
json Decode(const MeasurementEnvelope &env) {
	std::string bytes = env.SerializeAsString();
	std::string text;
	wire::ScanResult res = wire::PayloadToJson(wire::PayloadKind::kMeasurement,
	                                           reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size(),
	                                           wire::Limits{}, &text);
	EXPECT_TRUE(res.ok()) << res.message;
	return json::parse(text);
}

void AddRow(MeasurementEnvelope *env, const std::vector<std::pair<std::string, google::protobuf::Value>> &fields) {
	google::protobuf::Struct *row = env->add_data();
	for (const auto &f : fields)
		(*row->mutable_fields())[f.first] = f.second;
}

google::protobuf::Value Num(double d) {
	google::protobuf::Value v;
	v.set_number_value(d);
	return v;
}

google::protobuf::Value Str(const std::string &s) {
	google::protobuf::Value v;
	v.set_string_value(s);
	return v;
}

MeasurementEnvelope Canonical() {
	MeasurementEnvelope env;
	env.set_dbname("db1");
	env.set_metricname("wal");
	(*env.mutable_customtags())["env"] = "prod";
	AddRow(&env, {{"epoch_ns", Num(1795462940000000000.0)},
	              {"xlog_location_b", Num(100)},
	              {"in_recovery_int", Num(0)},
	              {"tag_sys_id", Str("7")}});
	return env;
}

std::string GoJson(const json &v) {
	std::string out;
	sinks::AppendGoJson(v, &out);
	return out;
}

} // namespace

TEST(PostgresSinkMapping, CanonicalExample) {
	sinks::MappedEnvelope mapped;
	std::string error;
	ASSERT_TRUE(sinks::MapEnvelope(Decode(Canonical()), 1, &mapped, &error)) << error;
	EXPECT_EQ(mapped.dbname, "db1");
	EXPECT_EQ(mapped.metric, "wal");
	ASSERT_EQ(mapped.rows.size(), 1u);
	const sinks::MetricRow &row = mapped.rows[0];
	EXPECT_EQ(row.time_us, 1795462940000000);
	EXPECT_EQ(sinks::FormatTimestampUs(row.time_us), "2026-11-23 19:42:20+00");
	// Same members and number texts as §1.2's INSERT (jsonb does not keep key order).
	EXPECT_EQ(json::parse(row.data),
	          json::parse(R"({"epoch_ns":1795462940000000000,"xlog_location_b":100,"in_recovery_int":0})"));
	EXPECT_NE(row.data.find("\"epoch_ns\":1795462940000000000"), std::string::npos) << row.data;
	EXPECT_EQ(row.tag_data, R"({"env":"prod","sys_id":"7"})");
}

TEST(PostgresSinkMapping, EveryRowGetsTheEnvelopeTime) {
	MeasurementEnvelope env = Canonical();
	AddRow(&env, {{"epoch_ns", Num(1795462941000000000.0)}, {"x", Num(1)}});
	AddRow(&env, {{"epoch_ns", Num(1795462942000000000.0)}, {"x", Num(2)}});
	sinks::MappedEnvelope mapped;
	std::string error;
	ASSERT_TRUE(sinks::MapEnvelope(Decode(env), 1, &mapped, &error));
	ASSERT_EQ(mapped.rows.size(), 3u);
	for (const auto &row : mapped.rows)
		EXPECT_EQ(row.time_us, 1795462940000000);
	// Each row keeps its own epoch_ns in data; custom tags on every row; {} never null.
	EXPECT_EQ(json::parse(mapped.rows[2].data)["epoch_ns"].get<uint64_t>(), 1795462942000000000u);
	EXPECT_EQ(mapped.rows[1].tag_data, R"({"env":"prod"})");
}

TEST(PostgresSinkMapping, EmptyTagsAreAnEmptyObject) {
	MeasurementEnvelope env;
	env.set_dbname("d");
	env.set_metricname("m");
	AddRow(&env, {{"v", Num(1.5)}});
	sinks::MappedEnvelope mapped;
	std::string error;
	ASSERT_TRUE(sinks::MapEnvelope(Decode(env), 42, &mapped, &error));
	EXPECT_EQ(mapped.rows[0].tag_data, "{}");
	EXPECT_EQ(mapped.rows[0].data, R"({"v":1.5})");
	EXPECT_EQ(mapped.rows[0].time_us, 42); // no epoch_ns: the spool's receive time
}

TEST(PostgresSinkMapping, RowTagsWinOverCustomTags) {
	MeasurementEnvelope env = Canonical();
	env.mutable_data(0)->mutable_fields()->insert({"tag_env", Str("dev")});
	sinks::MappedEnvelope mapped;
	std::string error;
	ASSERT_TRUE(sinks::MapEnvelope(Decode(env), 1, &mapped, &error));
	EXPECT_EQ(mapped.rows[0].tag_data, R"({"env":"dev","sys_id":"7"})");
}

TEST(PostgresSinkMapping, EnvelopeTime) {
	EXPECT_EQ(sinks::EnvelopeTimeUs(json::parse(R"({"Data":[{"epoch_ns":1.795462940000001e18}]})"), 5),
	          1795462940000001);
	EXPECT_EQ(sinks::EnvelopeTimeUs(json::parse(R"({"Data":[{"epoch_ns":1999}]})"), 5), 1); // floor ns→µs
	EXPECT_EQ(sinks::EnvelopeTimeUs(json::parse(R"({"Data":[{"epoch_ns":"1"}]})"), 5), 5);
	EXPECT_EQ(sinks::EnvelopeTimeUs(json::parse(R"({"Data":[{"epoch_ns":-1}]})"), 5), 5);
	EXPECT_EQ(sinks::EnvelopeTimeUs(json::parse(R"({"Data":[{"epoch_ns":9.3e18}]})"), 5), 5);
	EXPECT_EQ(sinks::EnvelopeTimeUs(json::parse(R"({"Data":[{"epoch_ns":"NaN"}]})"), 5), 5);
	EXPECT_EQ(sinks::EnvelopeTimeUs(json::parse(R"({"Data":[]})"), 5), 5);
}

TEST(PostgresSinkMapping, GoPercentV) {
	EXPECT_EQ(sinks::GoValueString(json("abc")), "abc");
	EXPECT_EQ(sinks::GoValueString(json(true)), "true");
	EXPECT_EQ(sinks::GoValueString(json(false)), "false");
	EXPECT_EQ(sinks::GoValueString(json(5.0)), "5");
	EXPECT_EQ(sinks::GoValueString(json(-5.0)), "-5");
	EXPECT_EQ(sinks::GoValueString(json(1e20)), "100000000000000000000");
	EXPECT_EQ(sinks::GoValueString(json(1e21)), "1e+21");
	EXPECT_EQ(sinks::GoValueString(json(0.5)), "0.5");
	EXPECT_EQ(sinks::GoValueString(json(123456.7)), "123456.7");
	EXPECT_EQ(sinks::GoValueString(json(1234567.5)), "1.2345675e+06");
	EXPECT_EQ(sinks::GoValueString(json(1.5e-7)), "1.5e-07");
	EXPECT_EQ(sinks::GoValueString(json(0.0001)), "0.0001");
	EXPECT_EQ(sinks::GoValueString(json(nullptr)), "<nil>");
	EXPECT_EQ(sinks::GoValueString(json::parse(R"(["a",1,true])")), "[a 1 true]");
	EXPECT_EQ(sinks::GoValueString(json::parse(R"({"b":"x","a":2})")), "map[a:2 b:x]");
}

TEST(PostgresSinkMapping, GoJsonNumbers) {
	EXPECT_EQ(GoJson(json(1.79546294e18)), "1795462940000000000");
	EXPECT_EQ(GoJson(json(100.0)), "100");
	EXPECT_EQ(GoJson(json(0.1)), "0.1");
	EXPECT_EQ(GoJson(json(1e21)), "1e+21");
	EXPECT_EQ(GoJson(json(1e-7)), "1e-7");
	EXPECT_EQ(GoJson(json(-2.5e-10)), "-2.5e-10");
	EXPECT_EQ(GoJson(json(0.0)), "0");
	EXPECT_EQ(GoJson(json("NaN")), "\"NaN\"");
	EXPECT_EQ(GoJson(json::parse(R"({"b":[1,"x\n"],"a":{"c":null}})")), R"({"a":{"c":null},"b":[1,"x\n"]})");
}

TEST(PostgresSinkCopyText, EscapesAndTimestamps) {
	std::string out;
	sinks::AppendCopyField("a\\b\tc\nd\re", &out);
	EXPECT_EQ(out, "a\\\\b\\tc\\nd\\re");
	EXPECT_EQ(sinks::FormatTimestampUs(0), "1970-01-01 00:00:00+00");
	EXPECT_EQ(sinks::FormatTimestampUs(951782400000001), "2000-02-29 00:00:00.000001+00");
	sinks::MetricRow row{1795462940000000, R"({"q":"a\\b"})", "{}"};
	out.clear();
	sinks::AppendCopyLine("db\t1", row, &out);
	EXPECT_EQ(out, "2026-11-23 19:42:20+00\tdb\\t1\t{\"q\":\"a\\\\\\\\b\"}\t{}\n");
	EXPECT_EQ(sinks::QuoteIdent("we\"ird"), "\"we\"\"ird\"");
}

TEST(PostgresSinkKind, Validation) {
	sinks::PostgresKind kind;
	EXPECT_TRUE(kind.Validate(json::object(), json::object()).empty());
	EXPECT_TRUE(kind.Validate(json::parse(R"({"conninfo":"postgresql://u@h/db","partition_interval":"12 hours",
	    "retention":"0","maintenance_interval":"0","schema_type":"auto","create_schema":false,"max_batch_rows":10})"),
	                          json::parse(R"({"password":"x"})"))
	                .empty());
	auto problems = kind.Validate(json::parse(R"({"partition_interval":"30 minutes","retention":"1 month",
	    "schema_type":"timescale","create_schema":"yes","colour":1,"conninfo":""})"),
	                              json::parse(R"({"token":"x"})"));
	std::string all;
	for (const auto &p : problems)
		all += p.key + ": " + p.reason + "\n";
	EXPECT_EQ(problems.size(), 7u) << all;
	EXPECT_NE(all.find("partition_interval: must be at least 1 hour"), std::string::npos) << all;
	EXPECT_NE(all.find("schema_type: timescale is not supported"), std::string::npos) << all;
	EXPECT_NE(all.find("colour: unknown key"), std::string::npos) << all;
	EXPECT_NE(all.find("secrets.token"), std::string::npos) << all;
	auto secrets = kind.SecretKeys();
	EXPECT_NE(std::find(secrets.begin(), secrets.end(), "conninfo"), secrets.end());
}

TEST(PostgresSinkKind, Intervals) {
	int64_t s = -1;
	EXPECT_TRUE(sinks::ParsePgwatchInterval("1 day", &s));
	EXPECT_EQ(s, 86400);
	EXPECT_TRUE(sinks::ParsePgwatchInterval("1 day 12 hours", &s));
	EXPECT_EQ(s, 129600);
	EXPECT_TRUE(sinks::ParsePgwatchInterval("0", &s));
	EXPECT_EQ(s, 0);
	EXPECT_TRUE(sinks::ParsePgwatchInterval("2 weeks", &s));
	EXPECT_EQ(s, 1209600);
	EXPECT_FALSE(sinks::ParsePgwatchInterval("", &s));
	EXPECT_FALSE(sinks::ParsePgwatchInterval("day", &s));
	EXPECT_FALSE(sinks::ParsePgwatchInterval("5", &s));
	EXPECT_FALSE(sinks::ParsePgwatchInterval("1 month", &s));
	EXPECT_FALSE(sinks::ParsePgwatchInterval("99999999999 days", &s));
}

TEST(PostgresSinkErrors, Classes) {
	EXPECT_EQ(sinks::ClassifySqlState(""), sinks::PgErrorClass::kTransient);
	EXPECT_EQ(sinks::ClassifySqlState("08006"), sinks::PgErrorClass::kTransient);
	EXPECT_EQ(sinks::ClassifySqlState("40P01"), sinks::PgErrorClass::kTransient);
	EXPECT_EQ(sinks::ClassifySqlState("53100"), sinks::PgErrorClass::kTransient);
	EXPECT_EQ(sinks::ClassifySqlState("57P01"), sinks::PgErrorClass::kTransient);
	EXPECT_EQ(sinks::ClassifySqlState("55P03"), sinks::PgErrorClass::kTransient);
	EXPECT_EQ(sinks::ClassifySqlState("23514"), sinks::PgErrorClass::kNoPartition);
	EXPECT_EQ(sinks::ClassifySqlState("23514", "wal_check"), sinks::PgErrorClass::kBadData)
	    << "a CHECK constraint refuses the rows; it is not a missing partition";
	EXPECT_EQ(sinks::ClassifySqlState("22P02"), sinks::PgErrorClass::kBadData);
	EXPECT_EQ(sinks::ClassifySqlState("42501"), sinks::PgErrorClass::kOther);
}
