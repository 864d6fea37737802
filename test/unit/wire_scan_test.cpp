// The wire scanner's rules and limits: names, hostile strings, nesting depth at and over
// the limit, rows, keys, string sizes, malformed wire format, SyncReq rules — and that the
// messages say where and what to fix.
#include "core/wire/envelope_scan.hpp"

#include "pgwatch.pb.h"

#include <gtest/gtest.h>

#include <string>

namespace wire = pgwatch_rpc::wire;
namespace gpb = google::protobuf;

namespace {

// The summary's views point into the scanned bytes: keep them alive for the caller.
thread_local std::string scanned_bytes;

wire::ScanResult Scan(const MeasurementEnvelope &env, const wire::Limits &limits = {},
                      wire::EnvelopeSummary *summary = nullptr) {
	scanned_bytes = env.SerializePartialAsString(); // Partial: allow invalid UTF-8 on purpose
	return wire::ScanMeasurementEnvelope(reinterpret_cast<const uint8_t *>(scanned_bytes.data()),
	                                     scanned_bytes.size(), limits, summary);
}

wire::ScanResult ScanRaw(const std::string &bytes, const wire::Limits &limits = {}) {
	return wire::ScanMeasurementEnvelope(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size(),
	                                     limits, nullptr);
}

MeasurementEnvelope Valid() {
	MeasurementEnvelope env;
	env.set_dbname("db1");
	env.set_metricname("db_stats");
	(*env.mutable_customtags())["env"] = "prod";
	(*env.add_data()->mutable_fields())["epoch_ns"].set_number_value(1.7e18);
	return env;
}

// A row whose value "v" nests `levels` containers (the row itself is level 1).
MeasurementEnvelope Nested(int levels, bool lists) {
	MeasurementEnvelope env = Valid();
	gpb::Value *v = &(*env.mutable_data(0)->mutable_fields())["v"];
	for (int level = 2; level <= levels; level++) {
		if (lists)
			v = v->mutable_list_value()->add_values();
		else
			v = &(*v->mutable_struct_value()->mutable_fields())["n"];
	}
	v->set_string_value("leaf");
	return env;
}

// Hand-made wire bytes for what libprotobuf will not produce.
std::string Field(uint32_t number, uint32_t wire_type) {
	return std::string(1, static_cast<char>(number << 3 | wire_type));
}

std::string Varint(uint64_t n) {
	std::string out;
	while (n >= 0x80) {
		out.push_back(static_cast<char>((n & 0x7F) | 0x80));
		n >>= 7;
	}
	out.push_back(static_cast<char>(n));
	return out;
}

std::string Len(uint32_t number, const std::string &payload) {
	return Varint(number << 3 | 2) + Varint(payload.size()) + payload;
}

} // namespace

TEST(WireScan, ValidEnvelopeSummary) {
	wire::EnvelopeSummary summary;
	MeasurementEnvelope env = Valid();
	env.add_data();
	ASSERT_TRUE(Scan(env, {}, &summary).ok());
	EXPECT_EQ(summary.dbname, "db1");
	EXPECT_EQ(summary.metric, "db_stats");
	EXPECT_EQ(summary.nrows, 2u);
}

TEST(WireScan, NamesAreRequiredAndValidated) {
	MeasurementEnvelope env = Valid();
	env.set_dbname("");
	EXPECT_EQ(Scan(env).status, wire::ScanStatus::kInvalid);
	EXPECT_NE(Scan(env).message.find("DBName must not be empty"), std::string::npos);
	env = Valid();
	env.set_metricname("");
	EXPECT_EQ(Scan(env).message, "MetricName must not be empty");
	env = Valid();
	env.set_dbname("a'b");
	EXPECT_NE(
	    Scan(env).message.find("DBName \"a'b\" contains a character outside [A-Za-z0-9_.:@/+-] at byte 1"),
	    std::string::npos)
	    << Scan(env).message;
	env = Valid();
	env.set_metricname("db-stats");
	EXPECT_NE(Scan(env).message.find("MetricName \"db-stats\" contains a character outside [A-Za-z0-9_]"),
	          std::string::npos);
	for (const char *ok : {"prod.db-1", "user@host:5432/db", "a+b", "_x_"}) {
		env.set_metricname("m");
		env.set_dbname(ok);
		EXPECT_TRUE(Scan(env).ok()) << ok;
	}
}

TEST(WireScan, HostileNamesAreRefusedWithReadableMessages) {
	MeasurementEnvelope env = Valid();
	env.set_dbname("x'; DROP TABLE y; --");
	wire::ScanResult r = Scan(env);
	EXPECT_EQ(r.status, wire::ScanStatus::kInvalid);
	EXPECT_NE(r.message.find("\"x'; DROP TABLE y; --\""), std::string::npos) << r.message;

	env.set_dbname(std::string("a\0b", 3));
	r = Scan(env);
	EXPECT_EQ(r.status, wire::ScanStatus::kInvalid);
	EXPECT_EQ(r.message, "DBName: string contains a NUL byte (at byte 1), which PostgreSQL cannot store");

	env.set_dbname(std::string(10240, 'x'));
	r = Scan(env);
	EXPECT_EQ(r.status, wire::ScanStatus::kInvalid);
	EXPECT_LT(r.message.size(), 200u) << "a 10 KB name must not produce a 10 KB message";
	EXPECT_NE(r.message.find("is 10240 bytes long; the limit is 128 bytes"), std::string::npos) << r.message;
	EXPECT_NE(r.message.find("... (10240 bytes)"), std::string::npos) << r.message;

	env.set_dbname("tab\there\n\"q\"\x01");
	r = Scan(env);
	EXPECT_NE(r.message.find(R"("tab\there\n\"q\"\x01")"), std::string::npos) << r.message;
	for (unsigned char c : r.message)
		EXPECT_TRUE(c >= 0x20) << "control character in message: " << r.message;

	env.set_dbname("caf\xC3\xA9");
	r = Scan(env);
	EXPECT_NE(r.message.find("\"caf\xC3\xA9\" contains a character outside"), std::string::npos) << r.message;
}

TEST(WireScan, InvalidUtf8AndNulInValuesNameTheirPlace) {
	MeasurementEnvelope env = Valid();
	for (int i = 0; i < 3; i++)
		env.add_data();
	(*env.mutable_data(3)->mutable_fields())["query"].set_string_value(std::string("select\0", 7));
	wire::ScanResult r = Scan(env);
	EXPECT_EQ(r.status, wire::ScanStatus::kInvalid);
	EXPECT_EQ(r.message,
	          "Data[3].query: string contains a NUL byte (at byte 6), which PostgreSQL cannot store");

	env = Valid();
	(*env.mutable_data(0)->mutable_fields())["q"].set_string_value("ok \xC3\x28");
	r = Scan(env);
	EXPECT_EQ(r.status, wire::ScanStatus::kInvalid);
	EXPECT_EQ(r.message, "Data[0].q: string is not valid UTF-8 (at byte 3)");

	for (const char *bad : {"\xED\xA0\x80", "\xC0\xAF", "\xF4\x90\x80\x80", "\xFF", "\xE2\x82"}) {
		env = Valid();
		(*env.mutable_data(0)->mutable_fields())["q"].set_string_value(bad);
		EXPECT_EQ(Scan(env).status, wire::ScanStatus::kInvalid) << bad;
	}

	env = Valid();
	(*env.mutable_data(0)->mutable_fields())[std::string("k\xFF")].set_bool_value(true);
	r = Scan(env);
	EXPECT_EQ(r.message, "Data[0]: key \"k\\xff\" is not valid UTF-8 (at byte 1)");

	env = Valid();
	(*env.mutable_customtags())["weird key"] = std::string("v\0", 2);
	r = Scan(env);
	EXPECT_EQ(r.message,
	          "CustomTags[\"weird key\"]: string contains a NUL byte (at byte 1), which PostgreSQL "
	          "cannot store");

	env = Valid();
	auto *list = (*env.mutable_data(0)->mutable_fields())["l"].mutable_list_value();
	list->add_values()->set_number_value(1);
	(*list->add_values()->mutable_struct_value()->mutable_fields())["x"].set_string_value(
	    std::string(1, '\0'));
	EXPECT_EQ(Scan(env).message,
	          "Data[0].l[1].x: string contains a NUL byte (at byte 0), which PostgreSQL cannot "
	          "store");
}

TEST(WireScan, DepthLimitExactlyAtAndOver) {
	wire::Limits limits;
	limits.max_depth = 5;
	for (bool lists : {false, true}) {
		EXPECT_TRUE(Scan(Nested(5, lists), limits).ok()) << lists;
		wire::ScanResult r = Scan(Nested(6, lists), limits);
		EXPECT_EQ(r.status, wire::ScanStatus::kInvalid) << lists;
		EXPECT_NE(r.message.find("nested deeper than 5 levels"), std::string::npos) << r.message;
		EXPECT_EQ(r.message.rfind("Data[0].v", 0), 0u) << r.message;
	}
	// The default limit, and the hard cap that no configuration can lift.
	EXPECT_TRUE(Scan(Nested(32, false)).ok());
	EXPECT_FALSE(Scan(Nested(33, false)).ok());
	limits.max_depth = 1000000;
	EXPECT_TRUE(Scan(Nested(wire::kMaxDepthCap, true), limits).ok());
	EXPECT_FALSE(Scan(Nested(wire::kMaxDepthCap + 1, true), limits).ok());
}

TEST(WireScan, DeepWireNestingDoesNotExhaustTheStack) {
	// 5000 nested list_values (10000 messages deep): refused at the depth limit, with a
	// short message, long before recursion could matter.
	std::string v = Len(3, "x"); // Value{string_value: "x"}
	for (int i = 0; i < 5000; i++)
		v = Len(6, Len(1, v)); // Value{list_value: ListValue{values: v}}
	std::string bytes = Valid().SerializeAsString() + Len(4, Len(1, Len(1, "k") + Len(2, v)));
	wire::ScanResult r = ScanRaw(bytes);
	EXPECT_EQ(r.status, wire::ScanStatus::kInvalid);
	EXPECT_NE(r.message.find("nested deeper than 32"), std::string::npos) << r.message.substr(0, 300);
	EXPECT_LT(r.message.size(), 600u);
}

TEST(WireScan, RowAndKeyAndStringLimits) {
	wire::Limits limits;
	limits.max_rows = 3;
	MeasurementEnvelope env = Valid();
	env.add_data();
	env.add_data();
	EXPECT_TRUE(Scan(env, limits).ok());
	env.add_data();
	wire::ScanResult r = Scan(env, limits);
	EXPECT_EQ(r.status, wire::ScanStatus::kInvalid);
	EXPECT_NE(r.message.find("more than 3 rows"), std::string::npos) << r.message;

	limits = {};
	limits.max_fields_per_struct = 2;
	env = Valid();
	(*env.mutable_data(0)->mutable_fields())["b"].set_bool_value(true);
	EXPECT_TRUE(Scan(env, limits).ok());
	(*env.mutable_data(0)->mutable_fields())["c"].set_bool_value(true);
	EXPECT_NE(Scan(env, limits).message.find("Data[0]: more than 2 keys in one Struct"), std::string::npos);
	(*env.mutable_customtags())["a"] = "1";
	(*env.mutable_customtags())["b"] = "2";
	env.mutable_data(0)->mutable_fields()->erase("c");
	EXPECT_NE(Scan(env, limits).message.find("CustomTags: more than 2 tags"), std::string::npos);

	limits = {};
	limits.max_string_bytes = 10;
	env = Valid();
	(*env.mutable_data(0)->mutable_fields())["s"].set_string_value(std::string(10, 'x'));
	EXPECT_TRUE(Scan(env, limits).ok());
	(*env.mutable_data(0)->mutable_fields())["s"].set_string_value(std::string(11, 'x'));
	EXPECT_EQ(Scan(env, limits).message, "Data[0].s: string of 11 bytes exceeds the limit of 10 bytes");

	limits = {};
	limits.max_name_bytes = 4;
	env = Valid();
	env.set_dbname("abcd");
	env.set_metricname("m");
	EXPECT_TRUE(Scan(env, limits).ok()) << Scan(env, limits).message;
	(*env.mutable_customtags())["toolong"] = "v";
	EXPECT_NE(
	    Scan(env, limits).message.find("CustomTags: key \"toolong\" of 7 bytes exceeds the limit of 4 bytes"),
	    std::string::npos)
	    << Scan(env, limits).message;
}

TEST(WireScan, LastValueWinsForRepeatedNames) {
	std::string bytes = Valid().SerializeAsString();
	bytes += std::string("\x0a\x03") + "db2"; // a second DBName after everything else
	wire::EnvelopeSummary summary;
	ASSERT_TRUE(wire::ScanMeasurementEnvelope(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size(),
	                                          {}, &summary)
	                .ok());
	EXPECT_EQ(summary.dbname, "db2");
	MeasurementEnvelope parsed;
	ASSERT_TRUE(parsed.ParseFromString(bytes));
	EXPECT_EQ(parsed.dbname(), "db2");
	// An earlier, overwritten occurrence must still be valid UTF-8 (libprotobuf agrees).
	std::string bad = std::string("\x0a\x01\xff", 3) + Valid().SerializeAsString();
	EXPECT_EQ(ScanRaw(bad).status, wire::ScanStatus::kInvalid);
	EXPECT_FALSE(parsed.ParseFromString(bad));
}

TEST(WireScan, UnknownFieldsAreSkipped) {
	std::string bytes = Valid().SerializeAsString();
	bytes += Field(15, 0) + "\x96\x01";             // varint
	bytes += Field(14, 1) + std::string(8, '\x01'); // fixed64
	bytes += Field(13, 5) + std::string(4, '\x01'); // fixed32
	bytes += Field(12, 2) + std::string("\x03"
	                                    "abc",
	                                    4);                   // bytes
	bytes += Field(1, 0) + "\x05";                            // DBName with the wrong wire type
	bytes += Varint((uint64_t{536870911} << 3) | 0) + "\x01"; // the largest field number
	EXPECT_TRUE(ScanRaw(bytes).ok()) << ScanRaw(bytes).message;
	MeasurementEnvelope parsed;
	EXPECT_TRUE(parsed.ParseFromString(bytes));
}

TEST(WireScan, MalformedWireFormat) {
	std::string good = Valid().SerializeAsString();
	struct Case {
		std::string bytes;
		const char *expect;
	} cases[] = {
	    {std::string("\x0a\x05"
	                 "ab",
	                 4),
	     "longer than its enclosing message"},
	    {"\x0a", "ends in the middle of a field"},
	    {"\x08\x80", "ends in the middle of a field"},
	    {std::string("\x08") + std::string(10, '\xff') + "\x01", "varint longer than 64 bits"},
	    {std::string("\x08") + std::string(9, '\xff') + "\x02", "varint longer than 64 bits"},
	    {"\x0b\x0c", "groups"},
	    {"\x0c", "groups"},
	    {"\x0e\x00", "invalid wire type"},
	    {std::string("\x00\x00", 2), "invalid field number 0"},
	    {"\xf8\xff\xff\xff\x7f\x00", "wider than 32 bits"},
	    {good + "\x09"
	            "1234567",
	     "ends in the middle of a field"},
	    {good + "\x15"
	            "12",
	     "ends in the middle of a field"},
	};
	for (const Case &c : cases) {
		wire::ScanResult r = ScanRaw(c.bytes);
		EXPECT_EQ(r.status, wire::ScanStatus::kMalformed) << c.expect;
		EXPECT_NE(r.message.find(c.expect), std::string::npos) << r.message;
		EXPECT_EQ(r.message.rfind("error parsing request: ", 0), 0u) << r.message;
	}
	// Inside a row: the message says where.
	MeasurementEnvelope env = Valid();
	std::string bytes = env.SerializeAsString();
	bytes += "\x22\x04\x0a\x02\x0a\x05";
	wire::ScanResult r = ScanRaw(bytes);
	EXPECT_EQ(r.status, wire::ScanStatus::kMalformed);
	EXPECT_NE(r.message.find("Data[1]"), std::string::npos) << r.message;
}

TEST(WireScan, SyncReqRules) {
	auto scan = [](const std::string &db, const std::string &metric, int op,
	               wire::SyncSummary *out = nullptr) {
		SyncReq req;
		req.set_dbname(db);
		req.set_metricname(metric);
		req.set_operation(static_cast<SyncOp>(op));
		scanned_bytes = req.SerializePartialAsString();
		return wire::ScanSyncReq(reinterpret_cast<const uint8_t *>(scanned_bytes.data()),
		                         scanned_bytes.size(), {}, out);
	};
	wire::SyncSummary summary;
	EXPECT_TRUE(scan("", "", 0, &summary).ok()) << "pgwatch's connect ping";
	EXPECT_EQ(summary.op, wire::SyncOp::kInvalid);
	EXPECT_TRUE(scan("db1", "", 1, &summary).ok());
	EXPECT_EQ(summary.op, wire::SyncOp::kAdd);
	EXPECT_EQ(summary.dbname, "db1");
	EXPECT_TRUE(scan("db1", "table_stats", 2, &summary).ok());
	EXPECT_EQ(summary.metric, "table_stats");
	EXPECT_TRUE(scan("", "", 3).ok());
	EXPECT_NE(scan("", "", 1).message.find("DBName must not be empty"), std::string::npos);
	EXPECT_NE(scan("", "m", 2).message.find("DBName must not be empty"), std::string::npos);
	EXPECT_FALSE(scan("a b", "", 0).ok()) << "non-empty names follow the rules even in a ping";
	EXPECT_FALSE(scan("db", "m-1", 1).ok());
	wire::ScanResult r = scan("db", "", 9);
	EXPECT_EQ(r.status, wire::ScanStatus::kInvalid);
	EXPECT_NE(r.message.find("Operation 9 is not a SyncOp"), std::string::npos);
	EXPECT_FALSE(scan("db", "", -1).ok());
	EXPECT_EQ(scan(std::string("d\0", 2), "", 1).status, wire::ScanStatus::kInvalid);
	std::string truncated = "\x0a\x05"
	                        "db";
	EXPECT_EQ(
	    wire::ScanSyncReq(reinterpret_cast<const uint8_t *>(truncated.data()), truncated.size(), {}, nullptr)
	        .status,
	    wire::ScanStatus::kMalformed);
}

TEST(WireScan, StructForDefineMetrics) {
	gpb::Struct st;
	(*st.mutable_fields())["metrics"].mutable_struct_value();
	(*(*st.mutable_fields())["metrics"].mutable_struct_value()->mutable_fields())["db_stats"]
	    .set_string_value(std::string("select 1\0", 9));
	std::string bytes = st.SerializeAsString();
	wire::ScanResult r = wire::ScanStruct(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size(), {});
	EXPECT_EQ(r.message,
	          "metrics.db_stats: string contains a NUL byte (at byte 8), which PostgreSQL cannot store");
	EXPECT_TRUE(wire::ScanStruct(nullptr, 0, {}).ok()) << "the empty Struct";
}

TEST(WireScan, NameValidatorsDirectly) {
	EXPECT_TRUE(wire::ValidateSourceName("a", 1).ok());
	EXPECT_FALSE(wire::ValidateSourceName("ab", 1).ok());
	EXPECT_FALSE(wire::ValidateSourceName("a;b", 10).ok());
	EXPECT_FALSE(wire::ValidateSourceName("a b", 10).ok());
	EXPECT_FALSE(wire::ValidateSourceName("a\"b", 10).ok());
	EXPECT_TRUE(wire::ValidateMetricName("pg_stat_statements", 128).ok());
	EXPECT_FALSE(wire::ValidateMetricName("a.b", 128).ok());
	EXPECT_EQ(wire::ValidateMetricName("", 128).status, wire::ScanStatus::kInvalid);
}
