// The postgres sink's pure parts: SINKS.md §0.3's canonical envelope mapped to the exact
// data/tag_data of §1.2 from the spool bytes libprotobuf writes, Go %v stringification of
// tags, Go encoding/json numbers, envelope time, COPY text escaping, config validation and
// SQLSTATE classes; and thousands of generated envelopes, odd values and odd wire encodings
// included, mapped exactly as the oracle maps them (pgwatch_row_oracle.hpp).
#include "pgwatch_row_oracle.hpp"

#include "core/wire/payload_json.hpp"
#include "sinks/postgres/copy_text.hpp"
#include "sinks/postgres/pg_errors.hpp"
#include "sinks/postgres/postgres_kind.hpp"
#include "sinks/postgres/row_mapping.hpp"

#include "pgwatch.pb.h"

#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <random>

namespace sinks = pgwatch_rpc::sinks;
namespace sink = pgwatch_rpc::sink;
namespace wire = pgwatch_rpc::wire;
using google::protobuf::Value;
using nlohmann::json;

namespace {

sink::Record RecordOf(const std::string &payload, int64_t received_at_us) {
	sink::Record record;
	record.received_at_us = received_at_us;
	record.payload = payload;
	return record;
}

// Map: the rows of the envelope's spool bytes, mapped as the sink maps them.
sinks::MappedEnvelope Map(const MeasurementEnvelope &env, int64_t received_at_us = 1) {
	sinks::RowMapper mapper;
	sinks::MappedEnvelope mapped;
	std::string error;
	EXPECT_TRUE(mapper.Map(RecordOf(env.SerializeAsString(), received_at_us), &mapped, &error)) << error;
	return mapped;
}

void AddRow(MeasurementEnvelope *env, const std::vector<std::pair<std::string, Value>> &fields) {
	google::protobuf::Struct *row = env->add_data();
	for (const auto &f : fields)
		(*row->mutable_fields())[f.first] = f.second;
}

Value Num(double d) {
	Value v;
	v.set_number_value(d);
	return v;
}

Value Str(const std::string &s) {
	Value v;
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

// OneValue: an envelope whose only row holds value under key.
MeasurementEnvelope OneValue(const std::string &key, const Value &value) {
	MeasurementEnvelope env;
	env.set_dbname("d");
	env.set_metricname("m");
	AddRow(&env, {{key, value}});
	return env;
}

// TagText: the tag_data value of a row tag holding value; DataText: the data of a row whose
// only key "v" holds value.
std::string TagText(const Value &value) {
	return json::parse(Map(OneValue("tag_t", value)).rows.at(0).tag_data).at("t").get<std::string>();
}
std::string DataText(const Value &value) { return Map(OneValue("v", value)).rows.at(0).data; }

// EnvelopeTimeUs: the time of a row whose epoch_ns holds value, received at 5 µs.
int64_t EnvelopeTimeUs(const Value &value) { return Map(OneValue("epoch_ns", value), 5).rows.at(0).time_us; }

Value Parsed(const std::string &json_text) {
	Value v;
	EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json_text, &v).ok()) << json_text;
	return v;
}

// ---- Generated envelopes, encoded by hand: the wire may hold what libprotobuf never writes
// (a key twice, a value in two pieces, two kinds in one Value, unknown fields). ----

std::string Varint(uint64_t value) {
	std::string out;
	for (; value >= 0x80; value >>= 7)
		out.push_back(static_cast<char>((value & 0x7F) | 0x80));
	out.push_back(static_cast<char>(value));
	return out;
}

std::string LenField(uint32_t number, const std::string &bytes) {
	return Varint(number << 3 | 2) + Varint(bytes.size()) + bytes;
}

std::string VarintField(uint32_t number, uint64_t value) { return Varint(number << 3) + Varint(value); }

std::string DoubleField(uint32_t number, double value) {
	char bytes[8];
	std::memcpy(bytes, &value, 8); // little-endian, as protobuf's fixed64
	return Varint(number << 3 | 1) + std::string(bytes, 8);
}

class EnvelopeGenerator {
public:
	explicit EnvelopeGenerator(uint64_t seed) : rng_(seed) {}

	// Envelope: MeasurementEnvelope bytes (DBName 1, MetricName 2, CustomTags 3, Data 4), its
	// fields in a random order.
	std::string Envelope() {
		static const char *const kTagKeys[] = {"env", "region", "sys_id", "a", "", "é"};
		std::vector<std::string> parts = {LenField(1, Pick(kStrings)), LenField(2, rng_() % 2 ? "wal" : "m e")};
		for (int i = 0, n = Below(4); i < n; i++)
			parts.push_back(LenField(3, LenField(1, Pick(kTagKeys)) + LenField(2, Pick(kStrings))));
		for (int r = 0, rows = Below(6); r < rows; r++)
			parts.push_back(LenField(4, Row()));
		if (Below(3) == 0)
			std::shuffle(parts.begin(), parts.end(), rng_);
		std::string out;
		for (const std::string &part : parts)
			out += part;
		return out;
	}

	int Below(int n) { return static_cast<int>(rng_() % static_cast<uint64_t>(n)); }

private:
	static constexpr const char *kStrings[] = {
	    "", "plain", "quote\" back\\slash", "line\nfeed\ttab\x01\x1f", "é中🙂", "\xe2\x80\xa8", "a:b c]",
	    "map[x]", "null", "<nil>", "\x7f", "1e+21"};

	template <size_t N> std::string Pick(const char *const (&items)[N]) { return items[rng_() % N]; }

	std::string Row() {
		static const char *const kKeys[] = {"epoch_ns", "a",    "b",       "tag_env", "tag_a",     "tag_",
		                                    "tag",      "x y",  "ключ",    "é\"\\\t", "tag_region", "tag_ключ",
		                                    "zz",       "A",    "tag_\x7f", "epoch_ns"};
		std::string out;
		for (int i = 0, n = Below(9); i < n; i++) {
			std::string key = Pick(kKeys);
			bool tag = key.compare(0, 4, "tag_") == 0;
			out += LenField(1, Entry(key, key == "epoch_ns" && Below(4) != 0 ? Epoch() : ValueBytes(tag ? 2 : 0)));
		}
		return out;
	}

	// Entry: a Struct entry; now and then with its value in two pieces (their concatenation
	// counts), no value at all, or the key after the value.
	std::string Entry(const std::string &key, const std::string &value) {
		switch (Below(12)) {
		case 0:
			return LenField(1, key);
		case 1:
			return LenField(2, value) + LenField(1, key);
		case 2:
			return LenField(1, key) + LenField(2, ValueBytes(1)) + LenField(2, value);
		default:
			return LenField(1, key) + LenField(2, value);
		}
	}

	std::string Epoch() {
		switch (Below(4)) {
		case 0:
			return DoubleField(2, 1795462940000000000.0 + 256.0 * Below(100000));
		case 1:
			return DoubleField(2, 1795462940123456789.0);
		case 2:
			return DoubleField(2, static_cast<double>(rng_() % 4000000)); // tiny but valid: floors to µs
		default:
			return DoubleField(2, Number());
		}
	}

	double Number() {
		static const double kNumbers[] = {0,       -0.0,   1,      -7,        100,        0.5,      0.1,
		                                  1.5e-7,  1e-6,   9.99e-7, 1234567.5, 123456.7,   0.0001,   0.00001,
		                                  9007199254740992.0, 9007199254740994.0, 9223372036854775808.0,
		                                  18446744073709551616.0, 1.2345678901234567e21, 1.2345678901234567e20,
		                                  1e20,    1e21,   1e22,   1e23,      1e300,      -2.5e-300, 5e-324,
		                                  DBL_MAX, DBL_MIN, NAN,   INFINITY,  -INFINITY, 1795462940123456789.0,
		                                  1.795462940000001e18, 9.3e18, -1795462940000000000.0};
		switch (Below(5)) {
		case 0: {
			uint64_t bits = rng_();
			double d;
			std::memcpy(&d, &bits, 8);
			return d;
		}
		case 1:
			return static_cast<double>(Below(2000000) - 1000000);
		case 2:
			return static_cast<double>(rng_()) / static_cast<double>(rng_() | 1);
		default:
			return kNumbers[rng_() % std::size(kNumbers)];
		}
	}

	// ValueBytes: a google.protobuf.Value; depth > 2 keeps it flat. Now and then two kinds in
	// one Value (the last wins) or an unknown field.
	std::string ValueBytes(int depth) {
		std::string out;
		switch (Below(depth > 2 ? 6 : 9)) {
		case 0:
		case 1:
			out = DoubleField(2, Number());
			break;
		case 2:
			out = LenField(3, Pick(kStrings));
			break;
		case 3:
			out = VarintField(4, static_cast<uint64_t>(Below(3))); // 2 is true too
			break;
		case 4:
			out = VarintField(1, 0);
			break;
		case 5:
			break; // no kind: null
		case 6: {
			std::string fields;
			for (int i = 0, n = Below(4); i < n; i++)
				fields += LenField(1, Entry(rng_() % 2 ? "k" : "j\"", ValueBytes(depth + 1)));
			out = LenField(5, fields);
			break;
		}
		case 7: {
			std::string items;
			for (int i = 0, n = Below(4); i < n; i++)
				items += LenField(1, ValueBytes(depth + 1));
			out = LenField(6, items);
			break;
		}
		default:
			out = ValueBytes(depth + 1) + ValueBytes(depth + 1);
			break;
		}
		if (Below(10) == 0)
			out += VarintField(9, 1);
		return out;
	}

	std::mt19937_64 rng_;
};

// ExpectAsTheOracle: the sink's mapping of payload equals the oracle's, or both refuse it.
void ExpectAsTheOracle(sinks::RowMapper *mapper, const std::string &payload, int64_t received_at_us) {
	std::string text;
	wire::ScanResult res =
	    wire::PayloadToJson(wire::PayloadKind::kMeasurement, reinterpret_cast<const uint8_t *>(payload.data()),
	                        payload.size(), pgwatch_rpc::json::SpoolDecodeLimits(), &text);
	sinks::MappedEnvelope mapped;
	std::string error;
	bool ok = mapper->Map(RecordOf(payload, received_at_us), &mapped, &error);
	ASSERT_EQ(ok, res.ok()) << error << res.message;
	if (!ok) {
		EXPECT_EQ(error, "cannot decode the spool payload: " + res.message);
		return;
	}
	json envelope = json::parse(text);
	std::vector<pgwatch_rpc::oracle::PgwatchRow> expected =
	    pgwatch_rpc::oracle::PgwatchRows(envelope, received_at_us);
	EXPECT_EQ(mapped.dbname, envelope["DBName"].get<std::string>());
	EXPECT_EQ(mapped.metric, envelope["MetricName"].get<std::string>());
	ASSERT_EQ(mapped.rows.size(), expected.size()) << text;
	for (size_t i = 0; i < expected.size(); i++) {
		EXPECT_EQ(mapped.rows[i].time_us, expected[i].time_us) << text;
		EXPECT_EQ(mapped.rows[i].data, expected[i].data) << text;
		EXPECT_EQ(mapped.rows[i].tag_data, expected[i].tag_data) << text;
	}
}

} // namespace

TEST(PostgresSinkMapping, CanonicalExample) {
	sinks::MappedEnvelope mapped = Map(Canonical());
	EXPECT_EQ(mapped.dbname, "db1");
	EXPECT_EQ(mapped.metric, "wal");
	ASSERT_EQ(mapped.rows.size(), 1u);
	const sinks::MetricRow &row = mapped.rows[0];
	EXPECT_EQ(row.time_us, 1795462940000000);
	EXPECT_EQ(sinks::FormatTimestampUs(row.time_us), "2026-11-23 19:42:20+00");
	// §1.2's INSERT with Go's sorted keys.
	EXPECT_EQ(row.data, R"({"epoch_ns":1795462940000000000,"in_recovery_int":0,"xlog_location_b":100})");
	EXPECT_EQ(row.tag_data, R"({"env":"prod","sys_id":"7"})");
}

TEST(PostgresSinkMapping, EveryRowGetsTheEnvelopeTime) {
	MeasurementEnvelope env = Canonical();
	AddRow(&env, {{"epoch_ns", Num(1795462941000000000.0)}, {"x", Num(1)}});
	AddRow(&env, {{"epoch_ns", Num(1795462942000000000.0)}, {"x", Num(2)}});
	sinks::MappedEnvelope mapped = Map(env);
	ASSERT_EQ(mapped.rows.size(), 3u);
	for (const auto &row : mapped.rows)
		EXPECT_EQ(row.time_us, 1795462940000000);
	// Each row keeps its own epoch_ns in data; custom tags on every row; {} never null.
	EXPECT_EQ(mapped.rows[2].data, R"({"epoch_ns":1795462942000000000,"x":2})");
	EXPECT_EQ(mapped.rows[1].tag_data, R"({"env":"prod"})");
}

TEST(PostgresSinkMapping, EmptyTagsAreAnEmptyObject) {
	MeasurementEnvelope env = OneValue("v", Num(1.5));
	sinks::MappedEnvelope mapped = Map(env, 42);
	EXPECT_EQ(mapped.rows[0].tag_data, "{}");
	EXPECT_EQ(mapped.rows[0].data, R"({"v":1.5})");
	EXPECT_EQ(mapped.rows[0].time_us, 42); // no epoch_ns: the spool's receive time
}

TEST(PostgresSinkMapping, RowTagsWinOverCustomTags) {
	MeasurementEnvelope env = Canonical();
	env.mutable_data(0)->mutable_fields()->insert({"tag_env", Str("dev")});
	EXPECT_EQ(Map(env).rows[0].tag_data, R"({"env":"dev","sys_id":"7"})");
}

TEST(PostgresSinkMapping, EnvelopeTime) {
	EXPECT_EQ(EnvelopeTimeUs(Num(1.795462940000001e18)), 1795462940000001);
	EXPECT_EQ(EnvelopeTimeUs(Num(1999)), 1); // floor ns→µs
	EXPECT_EQ(EnvelopeTimeUs(Str("1")), 5);
	EXPECT_EQ(EnvelopeTimeUs(Num(-1)), 5);
	EXPECT_EQ(EnvelopeTimeUs(Num(0)), 5);
	EXPECT_EQ(EnvelopeTimeUs(Num(9.3e18)), 5);
	EXPECT_EQ(EnvelopeTimeUs(Num(NAN)), 5);
	EXPECT_EQ(EnvelopeTimeUs(Value()), 5); // a Value of no kind
	MeasurementEnvelope empty;
	sinks::RowMapper mapper;
	sinks::MappedEnvelope mapped;
	std::string error;
	ASSERT_TRUE(mapper.Map(RecordOf(empty.SerializeAsString(), 5), &mapped, &error)) << error;
	EXPECT_TRUE(mapped.rows.empty());
}

TEST(PostgresSinkMapping, GoPercentV) {
	EXPECT_EQ(TagText(Str("abc")), "abc");
	Value b;
	b.set_bool_value(true);
	EXPECT_EQ(TagText(b), "true");
	b.set_bool_value(false);
	EXPECT_EQ(TagText(b), "false");
	EXPECT_EQ(TagText(Num(5.0)), "5");
	EXPECT_EQ(TagText(Num(-5.0)), "-5");
	EXPECT_EQ(TagText(Num(-0.0)), "0");
	EXPECT_EQ(TagText(Num(1e20)), "100000000000000000000");
	EXPECT_EQ(TagText(Num(1e21)), "1e+21");
	EXPECT_EQ(TagText(Num(0.5)), "0.5");
	EXPECT_EQ(TagText(Num(123456.7)), "123456.7");
	EXPECT_EQ(TagText(Num(1234567.5)), "1.2345675e+06");
	EXPECT_EQ(TagText(Num(1.5e-7)), "1.5e-07");
	EXPECT_EQ(TagText(Num(0.0001)), "0.0001");
	EXPECT_EQ(TagText(Num(NAN)), "NaN");
	EXPECT_EQ(TagText(Num(INFINITY)), "Infinity");
	EXPECT_EQ(TagText(Num(-INFINITY)), "-Infinity");
	EXPECT_EQ(TagText(Parsed("null")), "<nil>");
	EXPECT_EQ(TagText(Value()), "<nil>");
	EXPECT_EQ(TagText(Parsed(R"(["a",1,true,null,1.5e-7])")), "[a 1 true <nil> 1.5e-07]");
	EXPECT_EQ(TagText(Parsed(R"({"b":"x\"y\\n","a":2,"c":{"d":[]}})")), "map[a:2 b:x\"y\\n c:map[d:[]]]");
}

TEST(PostgresSinkMapping, GoJsonNumbers) {
	EXPECT_EQ(DataText(Num(1.79546294e18)), R"({"v":1795462940000000000})");
	EXPECT_EQ(DataText(Num(100.0)), R"({"v":100})");
	EXPECT_EQ(DataText(Num(0.1)), R"({"v":0.1})");
	EXPECT_EQ(DataText(Num(1e21)), R"({"v":1e+21})");
	EXPECT_EQ(DataText(Num(1e-7)), R"({"v":1e-7})");
	EXPECT_EQ(DataText(Num(-2.5e-10)), R"({"v":-2.5e-10})");
	EXPECT_EQ(DataText(Num(0.0)), R"({"v":0})");
	EXPECT_EQ(DataText(Num(-0.0)), R"({"v":0})");
	EXPECT_EQ(DataText(Num(NAN)), R"({"v":"NaN"})");
	EXPECT_EQ(DataText(Num(-INFINITY)), R"({"v":"-Infinity"})");
	EXPECT_EQ(DataText(Parsed(R"({"b":[1,"x\n",1e-7],"a":{"c":null}})")),
	          R"({"v":{"a":{"c":null},"b":[1,"x\n",1e-7]}})");
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

TEST(PostgresSinkMapping, GeneratedEnvelopesMapAsTheOracle) {
	EnvelopeGenerator generator(20261208);
	sinks::RowMapper mapper; // one for all, as the sink keeps one: buffers are reused
	size_t rows = 0, nested_tags = 0, non_finite = 0, refused = 0;
	for (int i = 0; i < 4000; i++) {
		std::string payload = generator.Envelope();
		if (generator.Below(10) == 0) { // damaged: both must refuse it, or both take it
			size_t at = static_cast<size_t>(generator.Below(static_cast<int>(payload.size()) + 1));
			if (generator.Below(2) == 0)
				payload.resize(at);
			else if (at < payload.size())
				payload[at] = static_cast<char>(payload[at] ^ (1 << generator.Below(8)));
		}
		ExpectAsTheOracle(&mapper, payload, 1700000000000000 + i);
		if (HasFailure())
			return; // the first difference says it all
		sinks::MappedEnvelope mapped;
		std::string error;
		if (!mapper.Map(RecordOf(payload, 0), &mapped, &error)) {
			refused++;
			continue;
		}
		for (const sinks::MetricRow &row : mapped.rows) {
			rows++;
			nested_tags += row.tag_data.find("map[") != std::string::npos;
			non_finite += row.data.find("Infinity\"") != std::string::npos;
		}
	}
	// The generator reaches what it is meant to.
	EXPECT_GT(rows, 5000u);
	EXPECT_GT(nested_tags, 50u);
	EXPECT_GT(non_finite, 50u);
	EXPECT_GT(refused, 50u);
}
