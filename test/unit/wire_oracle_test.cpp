// The wire scanner and PayloadToJson against libprotobuf, the oracle (issue #2): random
// and realistic messages built and serialized with libprotobuf must scan to the same
// summary and render to JSON equal to MessageToJsonString; every truncation and many
// random mutations of valid messages are judged consistently with ParseFromString.
#include "core/wire/envelope_scan.hpp"
#include "core/wire/payload_json.hpp"

#include "pgwatch.pb.h"

#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>

namespace wire = pgwatch_rpc::wire;
namespace gpb = google::protobuf;
using nlohmann::json;

namespace {

// libprotobuf logs every invalid UTF-8 string it meets; mutations produce many.
const bool kQuietProtobuf = [] {
	gpb::SetLogHandler([](gpb::LogLevel, const char *, int, const std::string &) {});
	return true;
}();

const uint8_t *Bytes(const std::string &s) {
	return reinterpret_cast<const uint8_t *>(s.data());
}

// JsonEquivalent compares parsed JSON values; numbers as doubles (protojson prints
// 12345 where we print 12345, but 1.7e+18 vs 1700000000000000000 must compare equal).
bool JsonEquivalent(const json &a, const json &b, std::string *where) {
	if (a.is_number() && b.is_number()) {
		if (a.get<double>() == b.get<double>())
			return true;
		*where = a.dump() + " vs " + b.dump();
		return false;
	}
	if (a.type() != b.type()) {
		*where = a.dump().substr(0, 200) + " vs " + b.dump().substr(0, 200);
		return false;
	}
	if (a.is_object()) {
		if (a.size() != b.size()) {
			*where = "object sizes " + std::to_string(a.size()) + " vs " + std::to_string(b.size()) + ": " +
			         a.dump().substr(0, 200) + " vs " + b.dump().substr(0, 200);
			return false;
		}
		for (auto it = a.begin(); it != a.end(); ++it) {
			auto other = b.find(it.key());
			if (other == b.end()) {
				*where = "missing key " + it.key();
				return false;
			}
			if (!JsonEquivalent(it.value(), *other, where)) {
				*where = it.key() + "." + *where;
				return false;
			}
		}
		return true;
	}
	if (a.is_array()) {
		if (a.size() != b.size()) {
			*where = "array sizes differ";
			return false;
		}
		for (size_t i = 0; i < a.size(); i++)
			if (!JsonEquivalent(a[i], b[i], where)) {
				*where = "[" + std::to_string(i) + "]" + *where;
				return false;
			}
		return true;
	}
	if (a == b)
		return true;
	*where = a.dump() + " vs " + b.dump();
	return false;
}

// C++ protojson drops a Value with no kind; we render null (documented in payload_json.cpp).
// Give such Values an explicit null before asking the oracle.
void NullKindless(gpb::Value *v);
void NullKindless(gpb::Struct *s) {
	for (auto &entry : *s->mutable_fields())
		NullKindless(&entry.second);
}
void NullKindless(gpb::Value *v) {
	switch (v->kind_case()) {
	case gpb::Value::KIND_NOT_SET:
		v->set_null_value(gpb::NULL_VALUE);
		break;
	case gpb::Value::kStructValue:
		NullKindless(v->mutable_struct_value());
		break;
	case gpb::Value::kListValue:
		for (auto &item : *v->mutable_list_value()->mutable_values())
			NullKindless(&item);
		break;
	default:
		break;
	}
}

json OracleJson(gpb::Message *msg) {
	// MessageToJsonString re-reads the serialized form, and renders an empty ListValue that
	// carries unknown fields as nothing at all; we skip unknown fields, so drop them first.
	msg->DiscardUnknownFields();
	if (auto *env = dynamic_cast<MeasurementEnvelope *>(msg))
		for (auto &row : *env->mutable_data())
			NullKindless(&row);
	if (auto *st = dynamic_cast<gpb::Struct *>(msg))
		NullKindless(st);
	gpb::util::JsonPrintOptions options;
	options.always_print_primitive_fields = true;
	options.preserve_proto_field_names = true;
	std::string text;
	auto status = gpb::util::MessageToJsonString(*msg, &text, options);
	EXPECT_TRUE(status.ok()) << status.ToString();
	return json::parse(text);
}

json OursJson(wire::PayloadKind kind, const std::string &bytes, const wire::Limits &limits = {}) {
	std::string text;
	wire::ScanResult r = wire::PayloadToJson(kind, Bytes(bytes), bytes.size(), limits, &text);
	EXPECT_TRUE(r.ok()) << r.message;
	if (!r.ok())
		return json();
	return json::parse(text); // throws (fails the test) if we produced invalid JSON
}

class Generator {
public:
	explicit Generator(uint32_t seed) : rng_(seed) {}

	size_t Below(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }

	std::string Name(const char *alphabet, size_t max_len) {
		std::string s;
		size_t len = 1 + Below(max_len);
		size_t n = std::char_traits<char>::length(alphabet);
		for (size_t i = 0; i < len; i++)
			s.push_back(alphabet[Below(n)]);
		return s;
	}

	// Text: valid UTF-8 without NUL, rich in what needs escaping.
	std::string Text() {
		static const char *const kPieces[] = {"a",  "Z",          "_",      " ",    "\"", "\\", "/", "\n",
		                                      "\t", "\x01",       "\x1f",   "\x7f", "é",  "€",  "😀", "'",
		                                      ";",  "DROP TABLE", "\u2028", "%",    "{",  "]"};
		std::string s;
		size_t len = Below(12);
		for (size_t i = 0; i < len; i++)
			s += kPieces[Below(sizeof kPieces / sizeof kPieces[0])];
		return s;
	}

	double Number() {
		static const double kSpecial[] = {0.0,
		                                  -0.0,
		                                  1.0,
		                                  -1.0,
		                                  0.1,
		                                  1e-300,
		                                  5e-324,
		                                  1.7976931348623157e308,
		                                  9007199254740992.0,
		                                  9007199254740994.0,
		                                  9007199254740991.0,
		                                  -9007199254740991.0,
		                                  1.7e18,
		                                  1712345678901234567.0,
		                                  std::numeric_limits<double>::quiet_NaN(),
		                                  std::numeric_limits<double>::infinity(),
		                                  -std::numeric_limits<double>::infinity(),
		                                  123456.789,
		                                  1e21,
		                                  1e-7};
		switch (Below(4)) {
		case 0:
			return kSpecial[Below(sizeof kSpecial / sizeof kSpecial[0])];
		case 1:
			return static_cast<double>(static_cast<int64_t>(Below(1000000)) - 500000);
		case 2:
			return std::uniform_real_distribution<double>(-1e6, 1e6)(rng_);
		default: {
			uint64_t bits = (static_cast<uint64_t>(rng_()) << 32) | rng_();
			double d;
			std::memcpy(&d, &bits, sizeof d);
			return d;
		}
		}
	}

	void FillValue(gpb::Value *v, int depth) {
		switch (Below(depth > 3 ? 4 : 6)) {
		case 0:
			v->set_null_value(gpb::NULL_VALUE);
			break;
		case 1:
			v->set_number_value(Number());
			break;
		case 2:
			v->set_string_value(Text());
			break;
		case 3:
			v->set_bool_value(Below(2) == 1);
			break;
		case 4:
			FillStruct(v->mutable_struct_value(), depth + 1, 4);
			break;
		default: {
			auto *list = v->mutable_list_value();
			size_t n = Below(4);
			for (size_t i = 0; i < n; i++)
				FillValue(list->add_values(), depth + 1);
		}
		}
	}

	void FillStruct(gpb::Struct *s, int depth, size_t max_fields) {
		size_t n = Below(max_fields + 1);
		for (size_t i = 0; i < n; i++)
			FillValue(&(*s->mutable_fields())[Below(3) == 0 ? Text() : Name("abcdefgh_", 10)], depth);
	}

	MeasurementEnvelope Envelope() {
		MeasurementEnvelope env;
		env.set_dbname(Name("abcXYZ019_.:@/+-", 20));
		env.set_metricname(Name("abcdefxyz_0123", 20));
		size_t ntags = Below(4);
		for (size_t i = 0; i < ntags; i++)
			(*env.mutable_customtags())[Below(2) ? Name("abc_", 8) : Text()] = Text();
		size_t nrows = Below(6);
		for (size_t i = 0; i < nrows; i++) {
			gpb::Struct *row = env.add_data();
			(*row->mutable_fields())["epoch_ns"].set_number_value(1.7e18 +
			                                                      static_cast<double>(Below(1000000)) * 1e3);
			FillStruct(row, 1, 6);
		}
		return env;
	}

private:
	std::mt19937 rng_;
};

// A table_stats-like row: what pgwatch really sends (numbers as doubles, tag_ strings).
MeasurementEnvelope TableStatsEnvelope(size_t rows) {
	MeasurementEnvelope env;
	env.set_dbname("prod-db1");
	env.set_metricname("table_stats");
	(*env.mutable_customtags())["env"] = "production";
	(*env.mutable_customtags())["dc"] = "eu-west-1";
	static const char *const kNumbers[] = {"seq_scan",
	                                       "seq_tup_read",
	                                       "idx_scan",
	                                       "idx_tup_fetch",
	                                       "n_tup_ins",
	                                       "n_tup_upd",
	                                       "n_tup_del",
	                                       "n_tup_hot_upd",
	                                       "n_live_tup",
	                                       "n_dead_tup",
	                                       "vacuum_count",
	                                       "autovacuum_count",
	                                       "analyze_count",
	                                       "autoanalyze_count",
	                                       "table_size_b",
	                                       "total_relation_size_b",
	                                       "toast_size_b",
	                                       "seconds_since_last_vacuum",
	                                       "seconds_since_last_analyze",
	                                       "tx_freeze_age"};
	for (size_t i = 0; i < rows; i++) {
		auto &fields = *env.add_data()->mutable_fields();
		fields["epoch_ns"].set_number_value(1712345678901234567.0 + static_cast<double>(i));
		fields["tag_schema"].set_string_value("public");
		fields["tag_table_name"].set_string_value("table_" + std::to_string(i));
		fields["tag_table_full_name"].set_string_value("public.table_" + std::to_string(i));
		fields["is_part_root"].set_bool_value(false);
		for (size_t k = 0; k < sizeof kNumbers / sizeof kNumbers[0]; k++)
			fields[kNumbers[k]].set_number_value(static_cast<double>((i + 1) * (k + 7) * 131));
	}
	return env;
}

void ExpectEnvelopeMatchesOracle(MeasurementEnvelope env) {
	std::string bytes = env.SerializeAsString();
	wire::EnvelopeSummary summary;
	wire::ScanResult r = wire::ScanMeasurementEnvelope(Bytes(bytes), bytes.size(), wire::Limits{}, &summary);
	ASSERT_TRUE(r.ok()) << r.message;
	EXPECT_EQ(summary.dbname, env.dbname());
	EXPECT_EQ(summary.metric, env.metricname());
	EXPECT_EQ(summary.nrows, static_cast<uint32_t>(env.data_size()));
	std::string where;
	json ours = OursJson(wire::PayloadKind::kMeasurement, bytes);
	json oracle = OracleJson(&env);
	EXPECT_TRUE(JsonEquivalent(ours, oracle, &where)) << where;
}

} // namespace

TEST(WireOracle, RandomEnvelopesMatchLibprotobuf) {
	Generator gen(12345);
	for (int i = 0; i < 500; i++) {
		SCOPED_TRACE(i);
		ExpectEnvelopeMatchesOracle(gen.Envelope());
	}
}

TEST(WireOracle, TableStatsEnvelopeMatchesLibprotobuf) {
	ExpectEnvelopeMatchesOracle(TableStatsEnvelope(300));
}

TEST(WireOracle, EmptyEnvelopeFieldsAlwaysEmitted) {
	MeasurementEnvelope env;
	std::string bytes = env.SerializeAsString();
	json ours = OursJson(wire::PayloadKind::kMeasurement, bytes);
	EXPECT_EQ(ours, json::parse(R"({"DBName":"","MetricName":"","CustomTags":{},"Data":[]})"));
}

TEST(WireOracle, RandomStructsAsDefineMetrics) {
	Generator gen(777);
	for (int i = 0; i < 300; i++) {
		gpb::Struct st;
		gen.FillStruct(&st, 1, 8);
		std::string bytes = st.SerializeAsString();
		ASSERT_TRUE(wire::ScanStruct(Bytes(bytes), bytes.size(), wire::Limits{}).ok());
		std::string where;
		EXPECT_TRUE(JsonEquivalent(OursJson(wire::PayloadKind::kDefine, bytes), OracleJson(&st), &where))
		    << where;
	}
}

TEST(WireOracle, SyncReqMatchesLibprotobuf) {
	for (int op : {0, 1, 2, 3, 7, -5}) {
		SyncReq req;
		req.set_dbname(op == 0 ? "" : "db1");
		req.set_metricname(op == 2 ? "" : "db_stats");
		req.set_operation(static_cast<SyncOp>(op));
		std::string bytes = req.SerializeAsString();
		std::string where;
		EXPECT_TRUE(JsonEquivalent(OursJson(wire::PayloadKind::kSync, bytes), OracleJson(&req), &where))
		    << op << ": " << where;
		wire::SyncSummary summary;
		wire::ScanResult r = wire::ScanSyncReq(Bytes(bytes), bytes.size(), wire::Limits{}, &summary);
		EXPECT_EQ(r.ok(), op >= 0 && op <= 3) << op << ": " << r.message;
		if (r.ok()) {
			EXPECT_EQ(static_cast<int>(summary.op), op);
			EXPECT_EQ(summary.dbname, req.dbname());
			EXPECT_EQ(summary.metric, req.metricname());
		}
	}
}

// Every prefix of a valid envelope: never a crash; libprotobuf's verdict decides whether we
// may accept; whatever we accept renders exactly like libprotobuf's parse of it.
TEST(WireOracle, EveryTruncationIsJudgedConsistently) {
	Generator gen(99);
	MeasurementEnvelope env = gen.Envelope();
	while (env.data_size() < 3)
		env = gen.Envelope();
	std::string bytes = env.SerializeAsString();
	size_t accepted = 0;
	for (size_t len = 0; len <= bytes.size(); len++) {
		std::string prefix = bytes.substr(0, len);
		MeasurementEnvelope parsed;
		bool proto_ok = parsed.ParseFromString(prefix);
		wire::EnvelopeSummary summary;
		wire::ScanResult r = wire::ScanMeasurementEnvelope(Bytes(prefix), len, wire::Limits{}, &summary);
		if (!proto_ok) {
			EXPECT_FALSE(r.ok()) << "accepted a prefix libprotobuf refuses, len " << len;
			continue;
		}
		EXPECT_NE(r.status, wire::ScanStatus::kMalformed) << len << ": " << r.message;
		if (!r.ok())
			continue;
		accepted++;
		EXPECT_EQ(summary.nrows, static_cast<uint32_t>(parsed.data_size()));
		std::string where;
		EXPECT_TRUE(
		    JsonEquivalent(OursJson(wire::PayloadKind::kMeasurement, prefix), OracleJson(&parsed), &where))
		    << len << ": " << where;
	}
	EXPECT_GT(accepted, 0u);
}

// Random byte mutations: libprotobuf refuses => we refuse; we call it malformed while
// libprotobuf accepts => only for our documented stricter wire rules (groups, varints
// wider than 64 bits, tags wider than 32 bits, which libprotobuf silently truncates);
// we accept => same JSON. libprotobuf's map order is random per process, so each run
// mutates different bytes: the properties hold for all of them.
TEST(WireOracle, RandomMutationsAgreeWithLibprotobuf) {
	Generator gen(4242);
	std::mt19937 rng(7);
	size_t ours_ok = 0, proto_ok_count = 0;
	for (int i = 0; i < 4000; i++) {
		MeasurementEnvelope env = gen.Envelope();
		std::string bytes = env.SerializeAsString();
		if (bytes.empty())
			continue;
		int flips = 1 + static_cast<int>(rng() % 3);
		for (int k = 0; k < flips; k++) {
			size_t at = rng() % bytes.size();
			if (rng() % 2)
				bytes[at] = static_cast<char>(rng());
			else
				bytes[at] = static_cast<char>(bytes[at] ^ (1 << (rng() % 8)));
		}
		MeasurementEnvelope parsed;
		bool proto_ok = parsed.ParseFromString(bytes);
		proto_ok_count += proto_ok;
		wire::ScanResult r =
		    wire::ScanMeasurementEnvelope(Bytes(bytes), bytes.size(), wire::Limits{}, nullptr);
		if (!proto_ok) {
			EXPECT_FALSE(r.ok()) << "iteration " << i;
			continue;
		}
		if (r.status == wire::ScanStatus::kMalformed) {
			EXPECT_TRUE(r.message.find("groups") != std::string::npos ||
			            r.message.find("varint longer") != std::string::npos ||
			            r.message.find("wider than 32 bits") != std::string::npos)
			    << r.message;
			continue;
		}
		// Decode mode skips the name rules: compare everything that decodes.
		std::string text;
		wire::ScanResult d = wire::PayloadToJson(wire::PayloadKind::kMeasurement, Bytes(bytes), bytes.size(),
		                                         wire::Limits{}, &text);
		if (!d.ok()) {
			EXPECT_EQ(d.status, wire::ScanStatus::kInvalid) << d.message;
			continue;
		}
		ours_ok++;
		std::string where;
		EXPECT_TRUE(JsonEquivalent(json::parse(text), OracleJson(&parsed), &where))
		    << "iteration " << i << ": " << where;
	}
	EXPECT_GT(ours_ok, 100u);
	EXPECT_GT(proto_ok_count, ours_ok / 2);
}

// Wire shapes no encoder produces but libprotobuf defines: repeated singular fields,
// merged message fields, duplicate map keys, wrong wire types, unknown fields.
namespace {

std::string Varint(uint64_t v) {
	std::string out;
	while (v >= 0x80) {
		out.push_back(static_cast<char>((v & 0x7F) | 0x80));
		v >>= 7;
	}
	out.push_back(static_cast<char>(v));
	return out;
}
std::string Len(uint32_t field, const std::string &payload) {
	return Varint((field << 3) | 2) + Varint(payload.size()) + payload;
}
std::string VarintField(uint32_t field, uint64_t v) {
	return Varint(field << 3) + Varint(v);
}
std::string Fixed64(uint32_t field, double d) {
	std::string out = Varint((field << 3) | 1);
	uint64_t bits;
	std::memcpy(&bits, &d, 8);
	for (int i = 0; i < 8; i++)
		out.push_back(static_cast<char>(bits >> (8 * i)));
	return out;
}
std::string Entry(const std::string &key, const std::string &value) {
	return Len(1, Len(1, key) + Len(2, value));
}
std::string Num(double d) {
	return Fixed64(2, d);
}
std::string Str(const std::string &s) {
	return Len(3, s);
}

void ExpectQuirkMatches(const std::string &bytes) {
	MeasurementEnvelope parsed;
	ASSERT_TRUE(parsed.ParseFromString(bytes));
	std::string where;
	EXPECT_TRUE(JsonEquivalent(OursJson(wire::PayloadKind::kMeasurement, bytes), OracleJson(&parsed), &where))
	    << where;
}

} // namespace

TEST(WireOracle, QuirksFollowLibprotobufMergeSemantics) {
	std::string head = Len(1, "db") + Len(2, "m");
	// Last DBName wins; unknown fields of every wire type are skipped.
	ExpectQuirkMatches(Len(1, "first") + head + VarintField(9, 5) + Fixed64(10, 1.0) + Len(11, "x") +
	                   Varint((12 << 3) | 5) + "abcd");
	// Duplicate CustomTags key: last entry wins; entry with only a key; entry value twice.
	ExpectQuirkMatches(head + Len(3, Len(1, "k") + Len(2, "v1")) + Len(3, Len(1, "k") + Len(2, "v2")) +
	                   Len(3, Len(1, "only")) + Len(3, Len(2, "v") + Len(1, "a") + Len(2, "w")));
	// Struct: duplicate keys, key after value, key twice, value twice (merged Values).
	std::string row = Entry("a", Num(1)) + Entry("a", Str("x")) + Len(1, Len(2, Num(2)) + Len(1, "b")) +
	                  Len(1, Len(1, "c") + Len(1, "d") + Len(2, Num(3))) +
	                  Len(1, Len(1, "e") + Len(2, Str("s")) + Len(2, Num(4)));
	ExpectQuirkMatches(head + Len(4, row));
	// Value: struct_value twice merges; list_value twice concatenates; a switch of kind resets.
	std::string sv = Len(5, Entry("x", Num(1))) + Len(5, Entry("y", Num(2)));
	std::string lv = Len(6, Len(1, Num(1))) + Len(6, Len(1, Str("two")));
	std::string reset = Len(5, Entry("gone", Num(1))) + Str("mid") + Len(5, Entry("kept", Num(2)));
	std::string list_then_struct = Len(6, Len(1, Num(1))) + Len(5, Entry("z", Num(2)));
	ExpectQuirkMatches(head + Len(4, Entry("sv", sv) + Entry("lv", lv) + Entry("reset", reset) +
	                                     Entry("lts", list_then_struct)));
	// Kind fields with the wrong wire type are unknown fields; bool from a big varint.
	std::string wrong = VarintField(3, 1) + Fixed64(4, 1.0) + VarintField(4, 300);
	ExpectQuirkMatches(head + Len(4, Entry("w", wrong) + Entry("n", VarintField(1, 7))));
	// Struct entries hidden among unknown fields of the row and of the entry.
	ExpectQuirkMatches(head +
	                   Len(4, VarintField(7, 1) + Len(1, VarintField(5, 1) + Len(1, "k") + Len(2, Num(9)))));
}
