// The JSON row documents of the HTTP sinks (src/core/json) from spool payloads built with
// libprotobuf: SINKS.md §0.3's canonical row byte for byte, row time and its fallbacks, tags
// (CustomTags ∪ tag_*, Go %v strings, the same as the postgres sink's tag_data), numbers,
// strings, nested values, libprotobuf's merge rules for repeated keys, row ids, bad records;
// and a cross-check of hundreds of random envelopes against an oracle that builds the expected
// document from libprotobuf's own parse with nlohmann::json.
#include "core/json/document.hpp"
#include "core/json/measurement_rows.hpp"
#include "core/json/row_id.hpp"
#include "core/json/value_text.hpp"
#include "pgwatch_row_oracle.hpp"

#include "pgwatch.pb.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <openssl/sha.h>

#include <cmath>
#include <ctime>
#include <limits>
#include <random>

namespace pjson = pgwatch_rpc::json;
namespace sink = pgwatch_rpc::sink;
using google::protobuf::Value;
using nlohmann::json;

namespace {

constexpr double kCanonicalEpoch = 1795462940000000000.0; // 2026-11-23T19:42:20Z

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
Value Bool(bool b) {
	Value v;
	v.set_bool_value(b);
	return v;
}
Value Null() {
	Value v;
	v.set_null_value(google::protobuf::NULL_VALUE);
	return v;
}

void AddRow(MeasurementEnvelope *env, const std::vector<std::pair<std::string, Value>> &fields) {
	google::protobuf::Struct *row = env->add_data();
	for (const auto &f : fields)
		(*row->mutable_fields())[f.first] = f.second;
}

MeasurementEnvelope Canonical() {
	MeasurementEnvelope env;
	env.set_dbname("db1");
	env.set_metricname("wal");
	(*env.mutable_customtags())["env"] = "prod";
	AddRow(&env, {{"epoch_ns", Num(kCanonicalEpoch)},
	              {"xlog_location_b", Num(100)},
	              {"in_recovery_int", Num(0)},
	              {"tag_sys_id", Str("7")}});
	return env;
}

sink::Record RecordOf(const std::string &payload, int64_t seq = 42,
                      int64_t received_at_us = 1'700'000'000'000'000) {
	sink::Record record;
	record.listener_id = 1;
	record.seq = seq;
	record.received_at_us = received_at_us;
	record.payload = payload;
	return record;
}

sink::Record RecordOf(const MeasurementEnvelope &env, int64_t seq = 42) {
	return RecordOf(env.SerializeAsString(), seq);
}

// Documents: the record's documents, one string each.
std::vector<std::string> Documents(const sink::Record &record) {
	pjson::DocumentSerializer serializer(pjson::DocumentOptions{"\n", ""});
	std::string out;
	size_t rows = 0;
	pgwatch_rpc::wire::ScanResult res = serializer.AppendRecord(record, &out, &rows);
	EXPECT_TRUE(res.ok()) << res.message;
	std::vector<std::string> docs;
	for (size_t start = 0; start < out.size();) {
		size_t end = out.find('\n', start);
		docs.push_back(out.substr(start, end - start));
		start = end + 1;
	}
	EXPECT_EQ(docs.size(), rows);
	return docs;
}

json Doc(const MeasurementEnvelope &env, size_t row = 0) {
	return json::parse(Documents(RecordOf(env)).at(row));
}

std::string Number(double d) {
	std::string out;
	pjson::AppendJsonNumber(d, &out);
	return out;
}
std::string GoNumber(double d) {
	std::string out;
	pjson::AppendGoNumber(d, &out);
	return out;
}
std::string Timestamp(int64_t ns) {
	std::string out;
	pjson::AppendRfc3339Nanos(ns, &out);
	return out;
}

// ---- The oracle: the expected document from libprotobuf's parse, built with nlohmann. ----

bool IsValidEpoch(const Value &v) {
	return v.kind_case() == Value::kNumberValue && std::isfinite(v.number_value()) && v.number_value() > 0 &&
	       v.number_value() < 9.2e18;
}

// ToJson: a Value as nlohmann json; non-finite numbers as null at the top of a row and as
// protojson's strings inside nested values (rpc_decode's rendering).
json ToJson(const Value &v, bool nested) {
	switch (v.kind_case()) {
	case Value::kNumberValue: {
		double d = v.number_value();
		if (std::isfinite(d))
			return d;
		if (!nested)
			return nullptr;
		return std::isnan(d) ? "NaN" : (d > 0 ? "Infinity" : "-Infinity");
	}
	case Value::kStringValue:
		return v.string_value();
	case Value::kBoolValue:
		return v.bool_value();
	case Value::kStructValue: {
		json object = json::object();
		for (const auto &f : v.struct_value().fields())
			object[f.first] = ToJson(f.second, true);
		return object;
	}
	case Value::kListValue: {
		json list = json::array();
		for (const Value &item : v.list_value().values())
			list.push_back(ToJson(item, true));
		return list;
	}
	default:
		return nullptr;
	}
}

std::string OracleTimestamp(int64_t ns) {
	time_t seconds = static_cast<time_t>(ns / 1000000000);
	struct tm tm;
	gmtime_r(&seconds, &tm);
	char buf[64];
	snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ", tm.tm_year + 1900, tm.tm_mon + 1,
	         tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long long>(ns % 1000000000));
	return buf;
}

json OracleDocument(const MeasurementEnvelope &env, int row_index, int64_t received_at_us) {
	const auto &row = env.data(row_index).fields();
	int64_t time_ns = received_at_us * 1000;
	if (env.data_size() > 0) {
		auto first = env.data(0).fields().find("epoch_ns");
		if (first != env.data(0).fields().end() && IsValidEpoch(first->second))
			time_ns = static_cast<int64_t>(first->second.number_value());
	}
	auto own = row.find("epoch_ns");
	if (own != row.end() && IsValidEpoch(own->second))
		time_ns = static_cast<int64_t>(own->second.number_value());
	json tags = json::object();
	for (const auto &t : env.customtags())
		tags[t.first] = t.second;
	json data = json::object();
	for (const auto &f : row) {
		if (f.first == "epoch_ns")
			continue;
		if (f.first.compare(0, 4, "tag_") != 0)
			data[f.first] = ToJson(f.second, false);
		else if (f.second.kind_case() == Value::kNumberValue && !std::isfinite(f.second.number_value()))
			tags[f.first.substr(4)] =
			    std::isnan(f.second.number_value()) ? "NaN" : (f.second.number_value() > 0 ? "+Inf" : "-Inf");
		else // the postgres sink's %v, so that both sinks agree
			tags[f.first.substr(4)] = pgwatch_rpc::oracle::GoValueString(ToJson(f.second, false));
	}
	return json{{"@timestamp", OracleTimestamp(time_ns)},
	            {"dbname", env.dbname()},
	            {"metric", env.metricname()},
	            {"tags", tags},
	            {"data", data}};
}

// RandomValue: any kind for fields, scalars only for tags (%v of nested values differs on
// purpose: see measurement_rows.hpp).
Value RandomValue(std::mt19937_64 &rng, bool scalar, int depth = 0) {
	static const char *const kStrings[] = {
	    "", "plain", "quote\" back\\slash", "line\nfeed\ttab\x01", "é中🙂", "</script>", "\xe2\x80\xa8"};
	static const double kNumbers[] = {0,
	                                  -0.0,
	                                  1,
	                                  -7,
	                                  100,
	                                  0.5,
	                                  1.5e-7,
	                                  1234567.5,
	                                  9007199254740993.0,
	                                  1.795462940000001e18,
	                                  1e21,
	                                  1e300,
	                                  -2.5e-300,
	                                  NAN,
	                                  INFINITY,
	                                  -INFINITY};
	switch (rng() % (scalar || depth > 2 ? 5 : 7)) {
	case 0:
		return Num(kNumbers[rng() % std::size(kNumbers)]);
	case 1:
		return Str(kStrings[rng() % std::size(kStrings)]);
	case 2:
		return Bool(rng() % 2);
	case 3:
		return Null();
	case 4:
		return rng() % 4 == 0 ? Value() : Num(static_cast<double>(rng() % 100000)); // Value() has no kind
	case 5: {
		Value v;
		for (int i = 0, n = static_cast<int>(rng() % 4); i < n; i++)
			(*v.mutable_struct_value()->mutable_fields())["k" + std::to_string(rng() % 3)] =
			    RandomValue(rng, false, depth + 1);
		return v;
	}
	default: {
		Value v;
		v.mutable_list_value();
		for (int i = 0, n = static_cast<int>(rng() % 4); i < n; i++)
			*v.mutable_list_value()->add_values() = RandomValue(rng, false, depth + 1);
		return v;
	}
	}
}

MeasurementEnvelope RandomEnvelope(std::mt19937_64 &rng) {
	static const char *const kKeys[] = {"a",    "b",   "epoch_ns", "tag_env", "tag_a",
	                                    "tag_", "x y", "ключ",     "tag_n"};
	MeasurementEnvelope env;
	env.set_dbname("db" + std::to_string(rng() % 3));
	env.set_metricname(rng() % 2 ? "wal" : "table_stats");
	for (int i = 0, n = static_cast<int>(rng() % 3); i < n; i++)
		(*env.mutable_customtags())[rng() % 2 ? "env" : "region"] = "v" + std::to_string(rng() % 10);
	for (int r = 0, rows = static_cast<int>(rng() % 5); r < rows; r++) {
		google::protobuf::Struct *row = env.add_data();
		for (int i = 0, n = static_cast<int>(rng() % 8); i < n; i++) {
			std::string key = kKeys[rng() % std::size(kKeys)];
			Value value = key == "epoch_ns" && rng() % 3 ? Num(kCanonicalEpoch + 256.0 * (rng() % 1000))
			                                             : RandomValue(rng, key.compare(0, 4, "tag_") == 0);
			(*row->mutable_fields())[key] = value;
		}
	}
	return env;
}

void ExpectMatchesOracle(const std::string &payload, int64_t received_at_us) {
	MeasurementEnvelope parsed;
	ASSERT_TRUE(parsed.ParseFromString(payload));
	std::vector<std::string> docs = Documents(RecordOf(payload, 7, received_at_us));
	ASSERT_EQ(docs.size(), static_cast<size_t>(parsed.data_size()));
	for (int i = 0; i < parsed.data_size(); i++)
		EXPECT_EQ(json::parse(docs[i]), OracleDocument(parsed, i, received_at_us)) << docs[i];
}

// Length-delimited field `number` with payload bytes, as protobuf encodes it.
std::string LenField(int number, const std::string &bytes) {
	std::string out(1, static_cast<char>(number << 3 | 2));
	size_t n = bytes.size();
	while (n >= 0x80) {
		out.push_back(static_cast<char>((n & 0x7F) | 0x80));
		n >>= 7;
	}
	out.push_back(static_cast<char>(n));
	return out + bytes;
}

} // namespace

TEST(JsonDocuments, CanonicalRowByteForByte) {
	std::vector<std::string> docs = Documents(RecordOf(Canonical()));
	ASSERT_EQ(docs.size(), 1u);
	EXPECT_EQ(docs[0],
	          R"({"@timestamp":"2026-11-23T19:42:20.000000000Z","dbname":"db1","metric":"wal",)"
	          R"("tags":{"env":"prod","sys_id":"7"},"data":{"in_recovery_int":0,"xlog_location_b":100}})");
}

TEST(JsonDocuments, NdjsonWithACallerChosenSeparator) {
	MeasurementEnvelope env = Canonical();
	AddRow(&env, {{"epoch_ns", Num(kCanonicalEpoch + 1e9)}, {"x", Num(1)}});
	AddRow(&env, {{"epoch_ns", Num(kCanonicalEpoch + 2.5e9)}, {"x", Num(2)}});
	std::string out = "prefix|";
	pjson::DocumentSerializer serializer(pjson::DocumentOptions{",", ""});
	size_t rows = 0;
	ASSERT_TRUE(serializer.AppendRecord(RecordOf(env), &out, &rows).ok());
	EXPECT_EQ(rows, 3u);
	ASSERT_EQ(out.substr(0, 7), "prefix|");
	json array = json::parse("[" + out.substr(7, out.size() - 8) + "]"); // the last separator closes it
	ASSERT_EQ(array.size(), 3u);
	EXPECT_EQ(array[1]["@timestamp"], "2026-11-23T19:42:21.000000000Z"); // each row its own time (§0.1)
	EXPECT_EQ(array[2]["@timestamp"], "2026-11-23T19:42:22.500000000Z");
	EXPECT_EQ(array[2]["tags"], json({{"env", "prod"}})); // CustomTags on every row
	EXPECT_EQ(array[2]["data"], json({{"x", 2}}));
	EXPECT_EQ(out.back(), ',');
}

TEST(JsonDocuments, RowTimeFallsBackToTheEnvelopeThenTheReceiveTime) {
	MeasurementEnvelope env = Canonical();
	AddRow(&env, {{"x", Num(1)}});                            // no epoch_ns: Data[0]'s
	AddRow(&env, {{"epoch_ns", Str("1795462941000000000")}}); // not a number
	AddRow(&env, {{"epoch_ns", Num(-5)}});                    // not positive
	AddRow(&env, {{"epoch_ns", Num(9.3e18)}});                // out of range
	AddRow(&env, {{"epoch_ns", Num(NAN)}});
	AddRow(&env, {{"epoch_ns", Num(1795462940000000256.0)}}); // 256 ns granularity kept
	std::vector<std::string> docs = Documents(RecordOf(env));
	ASSERT_EQ(docs.size(), 7u);
	for (size_t i = 1; i < 6; i++)
		EXPECT_EQ(json::parse(docs[i])["@timestamp"], "2026-11-23T19:42:20.000000000Z") << i;
	EXPECT_EQ(json::parse(docs[6])["@timestamp"], "2026-11-23T19:42:20.000000256Z");
	EXPECT_EQ(json::parse(docs[2])["data"], json::object()); // epoch_ns never lands in data

	MeasurementEnvelope timeless;
	timeless.set_dbname("d");
	timeless.set_metricname("m");
	AddRow(&timeless, {{"x", Num(1)}});
	sink::Record record = RecordOf(timeless.SerializeAsString(), 1, 1795462940123456); // µs
	EXPECT_EQ(json::parse(Documents(record)[0])["@timestamp"], "2026-11-23T19:42:20.123456000Z");
}

TEST(JsonDocuments, TagsMergeWithRowTagsWinningAndGoStrings) {
	MeasurementEnvelope env;
	env.set_dbname("db1");
	env.set_metricname("m");
	(*env.mutable_customtags())["env"] = "prod";
	(*env.mutable_customtags())["dc"] = "eu";
	Value list;
	*list.mutable_list_value()->add_values() = Num(1);
	*list.mutable_list_value()->add_values() = Str("a");
	AddRow(&env, {{"tag_env", Str("dev")},
	              {"tag_int", Num(5)},
	              {"tag_big", Num(1795462940000000000.0)},
	              {"tag_half", Num(0.5)},
	              {"tag_tiny", Num(1.5e-7)},
	              {"tag_mid", Num(1234567.5)},
	              {"tag_huge", Num(1e21)},
	              {"tag_bool", Bool(true)},
	              {"tag_null", Null()},
	              {"tag_nan", Num(NAN)},
	              {"tag_list", list},
	              {"tag_", Str("empty name")}});
	json doc = Doc(env);
	EXPECT_EQ(doc["tags"], json({{"env", "dev"},
	                             {"dc", "eu"},
	                             {"int", "5"},
	                             {"big", "1795462940000000000"},
	                             {"half", "0.5"},
	                             {"tiny", "1.5e-07"},
	                             {"mid", "1.2345675e+06"},
	                             {"huge", "1e+21"},
	                             {"bool", "true"},
	                             {"null", "<nil>"},
	                             {"nan", "NaN"},
	                             {"list", "[1,\"a\"]"},
	                             {"", "empty name"}}));
	EXPECT_EQ(doc["data"], json::object());
}

TEST(JsonDocuments, FieldValuesOfEveryKind) {
	MeasurementEnvelope env;
	env.set_dbname("db1");
	env.set_metricname("m");
	Value nested;
	auto &fields = *nested.mutable_struct_value()->mutable_fields();
	fields["n"] = Num(NAN);
	fields["s"] = Str("x");
	*fields["l"].mutable_list_value()->add_values() = Null();
	AddRow(&env, {{"int", Num(100)},
	              {"neg", Num(-3)},
	              {"frac", Num(0.1)},
	              {"above_2_53", Num(9007199254740994.0)},
	              {"epochish", Num(1.795462940000001e18)},
	              {"beyond_int64", Num(1e19)},
	              {"huge", Num(1e300)},
	              {"nan", Num(NAN)},
	              {"inf", Num(-INFINITY)},
	              {"text", Str("quote\" back\\ \n\t\x01 é 🙂 \xe2\x80\xa8")},
	              {"yes", Bool(true)},
	              {"nothing", Null()},
	              {"unset", Value()},
	              {"object", nested}});
	std::string doc = Documents(RecordOf(env)).at(0);
	json data = json::parse(doc)["data"];
	EXPECT_NE(doc.find("\"int\":100,"), std::string::npos) << doc;
	EXPECT_NE(doc.find("\"above_2_53\":9007199254740994,"), std::string::npos) << doc; // exact digits
	EXPECT_NE(doc.find("\"epochish\":1795462940000001024,"), std::string::npos) << doc;
	EXPECT_NE(doc.find("\"beyond_int64\":1e+19,"), std::string::npos) << doc;
	EXPECT_NE(doc.find("\"frac\":0.1,"), std::string::npos) << doc;
	EXPECT_EQ(data["neg"], -3);
	EXPECT_EQ(data["huge"], 1e300);
	EXPECT_TRUE(data["nan"].is_null());
	EXPECT_TRUE(data["inf"].is_null());
	EXPECT_EQ(data["text"], "quote\" back\\ \n\t\x01 é 🙂 \xe2\x80\xa8");
	EXPECT_NE(doc.find(R"(\u0001)"), std::string::npos) << doc;
	EXPECT_EQ(data["yes"], true);
	EXPECT_TRUE(data["nothing"].is_null());
	EXPECT_TRUE(data["unset"].is_null());
	EXPECT_EQ(data["object"], json::parse(R"({"n":"NaN","s":"x","l":[null]})"));
}

TEST(JsonDocuments, RowViewGivesKindsAndNumbers) {
	MeasurementEnvelope env = Canonical();
	AddRow(&env, {{"s", Str("v")}, {"b", Bool(false)}});
	pjson::MeasurementRows rows;
	sink::Record record = RecordOf(env);
	ASSERT_TRUE(rows.Open(record).ok());
	EXPECT_EQ(rows.row_count(), 2u);
	EXPECT_EQ(rows.dbname(), "db1");
	pjson::Row row;
	ASSERT_TRUE(rows.Next(&row));
	EXPECT_EQ(row.index, 0u);
	EXPECT_EQ(row.time_ns, 1795462940000000000);
	ASSERT_EQ(row.fields->size(), 2u);
	EXPECT_EQ((*row.fields)[1].key, "xlog_location_b");
	EXPECT_EQ((*row.fields)[1].kind, pjson::ValueKind::kNumber);
	EXPECT_EQ((*row.fields)[1].number, 100);
	EXPECT_EQ((*row.fields)[1].text, "100");
	ASSERT_TRUE(rows.Next(&row));
	EXPECT_EQ(row.index, 1u);
	EXPECT_EQ((*row.fields)[0].kind, pjson::ValueKind::kBool);
	EXPECT_EQ((*row.fields)[1].kind, pjson::ValueKind::kString);
	EXPECT_EQ((*row.fields)[1].text, "v"); // raw, unescaped
	EXPECT_FALSE(rows.Next(&row));
}

TEST(JsonDocuments, RepeatedKeysFollowLibprotobufMerging) {
	// Two Structs' bytes concatenated parse as one Struct whose repeated keys keep the last
	// value; an entry with two values merges them (the last oneof member wins); two envelopes
	// concatenated merge too (CustomTags by key, Data appended, names replaced).
	google::protobuf::Struct first, second;
	(*first.mutable_fields())["x"] = Num(1);
	(*first.mutable_fields())["tag_t"] = Str("first");
	(*first.mutable_fields())["keep"] = Str("k");
	(*second.mutable_fields())["x"] = Str("two");
	(*second.mutable_fields())["tag_t"] = Str("second");
	std::string entry = LenField(1, "y") + LenField(2, Num(5).SerializeAsString()) +
	                    LenField(2, Str("merged").SerializeAsString());
	std::string row = first.SerializeAsString() + second.SerializeAsString() + LenField(1, entry);

	MeasurementEnvelope head = Canonical();
	(*head.mutable_customtags())["dup"] = "one";
	MeasurementEnvelope tail;
	tail.set_dbname("db2");
	(*tail.mutable_customtags())["dup"] = "two";
	std::string payload = head.SerializeAsString() + LenField(4, row) + tail.SerializeAsString();

	ExpectMatchesOracle(payload, 1);
	json doc = json::parse(Documents(RecordOf(payload)).at(1));
	EXPECT_EQ(doc["dbname"], "db2");
	EXPECT_EQ(doc["data"], json({{"x", "two"}, {"keep", "k"}, {"y", "merged"}}));
	EXPECT_EQ(doc["tags"], json({{"env", "prod"}, {"dup", "two"}, {"t", "second"}}));
}

TEST(JsonDocuments, RandomEnvelopesMatchTheOracle) {
	std::mt19937_64 rng(20261123);
	for (int i = 0; i < 500; i++) {
		std::string payload = RandomEnvelope(rng).SerializeAsString();
		if (i % 5 == 0)
			payload += RandomEnvelope(rng).SerializeAsString(); // merged envelopes
		ExpectMatchesOracle(payload, 1'700'000'000'000'000 + i);
		if (HasFailure())
			return;
	}
}

TEST(JsonDocuments, EmptyDataGivesNoDocument) {
	MeasurementEnvelope env;
	env.set_dbname("db1");
	env.set_metricname("wal");
	EXPECT_TRUE(Documents(RecordOf(env)).empty());
}

TEST(JsonDocuments, BadRecordsAppendNothingAndSayWhy) {
	pjson::DocumentSerializer serializer;
	std::string out = "kept";
	size_t rows = 99;

	std::string bytes = Canonical().SerializeAsString();
	pgwatch_rpc::wire::ScanResult truncated =
	    serializer.AppendRecord(RecordOf(bytes.substr(0, bytes.size() - 3)), &out, &rows);
	EXPECT_FALSE(truncated.ok());
	EXPECT_NE(truncated.message.find("error parsing request"), std::string::npos) << truncated.message;
	EXPECT_EQ(out, "kept");
	EXPECT_EQ(rows, 0u);

	MeasurementEnvelope bad_utf8 = Canonical();
	AddRow(&bad_utf8, {{"s", Num(1)}});
	std::string raw = bad_utf8.SerializeAsString() +
	                  LenField(4, LenField(1, LenField(1, "k") + LenField(2, LenField(3, "\xff"))));
	pgwatch_rpc::wire::ScanResult invalid = serializer.AppendRecord(RecordOf(raw), &out, &rows);
	EXPECT_FALSE(invalid.ok());
	EXPECT_NE(invalid.message.find("UTF-8"), std::string::npos) << invalid.message;
	EXPECT_EQ(out, "kept");

	sink::Record sync = RecordOf(bytes);
	sync.kind = sink::RecordKind::kSync;
	pgwatch_rpc::wire::ScanResult wrong_kind = serializer.AppendRecord(sync, &out, &rows);
	EXPECT_FALSE(wrong_kind.ok());
	EXPECT_NE(wrong_kind.message.find("not a measurement"), std::string::npos);
	EXPECT_EQ(out, "kept");
}

TEST(JsonRowId, StableDocumentedAndDistinct) {
	MeasurementEnvelope env = Canonical();
	AddRow(&env, {{"x", Num(1)}});
	sink::Record record = RecordOf(env, 42);
	pjson::DocumentSerializer serializer(pjson::DocumentOptions{"\n", "row_id"});
	std::string first, again;
	ASSERT_TRUE(serializer.AppendRecord(record, &first).ok());
	ASSERT_TRUE(serializer.AppendRecord(record, &again).ok());
	EXPECT_EQ(first, again); // a retry produces identical bytes

	std::string id0 = json::parse(first.substr(0, first.find('\n')))["row_id"];
	std::string id1 = json::parse(first.substr(first.find('\n') + 1))["row_id"];
	ASSERT_EQ(id0.size(), 64u);
	EXPECT_EQ(id0.find_first_not_of("0123456789abcdef"), std::string::npos);
	EXPECT_NE(id0, id1);

	// The documented input: listener_id \0 seq \0 row_index \0 dbname \0 metric \0 time_ns.
	const char nul = '\0';
	const std::string input =
	    std::string("1") + nul + "42" + nul + "0" + nul + "db1" + nul + "wal" + nul + "1795462940000000000";
	unsigned char digest[SHA256_DIGEST_LENGTH];
	SHA256(reinterpret_cast<const unsigned char *>(input.data()), input.size(), digest);
	std::string expected;
	for (unsigned char b : digest) {
		static const char kHex[] = "0123456789abcdef";
		expected += kHex[b >> 4];
		expected += kHex[b & 15];
	}
	EXPECT_EQ(id0, expected);

	pjson::RowIdHasher hasher;
	pjson::MeasurementRows rows;
	pjson::Row row;
	for (auto [listener, seq] : {std::pair{1, 43}, std::pair{2, 42}}) {
		sink::Record other = record;
		other.listener_id = listener;
		other.seq = seq;
		ASSERT_TRUE(rows.Open(other).ok());
		ASSERT_TRUE(rows.Next(&row));
		std::string id;
		hasher.Append(other, row, &id);
		EXPECT_NE(id, id0) << listener << ":" << seq;
	}
}

TEST(JsonValueText, NumbersAsJson) {
	EXPECT_EQ(Number(0), "0");
	EXPECT_EQ(Number(-0.0), "0");
	EXPECT_EQ(Number(100), "100");
	EXPECT_EQ(Number(-42), "-42");
	EXPECT_EQ(Number(0.1), "0.1");
	EXPECT_EQ(Number(1795462940000000000.0), "1795462940000000000");
	EXPECT_EQ(Number(-9223372036854775808.0), "-9223372036854775808");
	EXPECT_EQ(Number(9223372036854775808.0), "9.223372036854776e+18");
	EXPECT_EQ(Number(1e-7), "1e-07");
	EXPECT_EQ(Number(NAN), "null");
	EXPECT_EQ(Number(INFINITY), "null");
	for (double d : {0.1, 1.0 / 3, 1e-300, 5e-324, 1.7976931348623157e308, 123456.789e10})
		EXPECT_EQ(json::parse(Number(d)).get<double>(), d) << Number(d);
}

TEST(JsonValueText, NumbersAsGoPercentV) {
	EXPECT_EQ(GoNumber(5), "5");
	EXPECT_EQ(GoNumber(-5), "-5");
	EXPECT_EQ(GoNumber(1e20), "100000000000000000000");
	EXPECT_EQ(GoNumber(1e21), "1e+21");
	EXPECT_EQ(GoNumber(0.5), "0.5");
	EXPECT_EQ(GoNumber(0.0001), "0.0001");
	EXPECT_EQ(GoNumber(0.00001), "1e-05");
	EXPECT_EQ(GoNumber(123456.5), "123456.5");
	EXPECT_EQ(GoNumber(1234567.5), "1.2345675e+06");
	EXPECT_EQ(GoNumber(NAN), "NaN");
	EXPECT_EQ(GoNumber(INFINITY), "+Inf");
	EXPECT_EQ(GoNumber(-INFINITY), "-Inf");
	// The same strings as the postgres sink's tag_data for every finite value.
	for (double d : {5.0, 0.5, 1.5e-7, 1234567.5, 1e21, 1e20, 0.0001, -2.25, 1e100})
		EXPECT_EQ(GoNumber(d), pgwatch_rpc::oracle::GoValueString(json(d))) << d;
}

TEST(JsonValueText, Rfc3339Nanos) {
	EXPECT_EQ(Timestamp(0), "1970-01-01T00:00:00.000000000Z");
	EXPECT_EQ(Timestamp(-1), "1969-12-31T23:59:59.999999999Z");
	EXPECT_EQ(Timestamp(1709210096123456789), "2024-02-29T12:34:56.123456789Z");
	EXPECT_EQ(Timestamp(951782400000000000), "2000-02-29T00:00:00.000000000Z");
	EXPECT_EQ(Timestamp(std::numeric_limits<int64_t>::max()), "2262-04-11T23:47:16.854775807Z");
	std::mt19937_64 rng(7);
	for (int i = 0; i < 10000; i++) {
		int64_t ns = static_cast<int64_t>(rng() % 9200000000000000000ULL);
		ASSERT_EQ(Timestamp(ns), OracleTimestamp(ns)) << ns;
	}
}
