// PayloadToJson and its JSON primitives: number forms (exact integers, shortest round
// trip, NaN/Infinity as protojson), string escaping, the always-present envelope and
// SyncReq fields, decode-mode leniency and refusals.
#include "core/wire/json_text.hpp"
#include "core/wire/payload_json.hpp"

#include "pgwatch.pb.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

namespace wire = pgwatch_rpc::wire;
namespace gpb = google::protobuf;
using nlohmann::json;

namespace {

std::string Number(double d) {
	std::string out;
	wire::AppendJsonNumber(d, &out);
	return out;
}

std::string JsonString(std::string_view s) {
	std::string out;
	wire::AppendJsonString(s, &out);
	return out;
}

wire::ScanResult Render(wire::PayloadKind kind, const std::string &bytes, std::string *out,
                        const wire::Limits &limits = {}) {
	return wire::PayloadToJson(kind, reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size(), limits,
	                           out);
}

} // namespace

TEST(WireJson, NumberForms) {
	EXPECT_EQ(Number(0), "0");
	EXPECT_EQ(Number(-0.0), "0");
	EXPECT_EQ(Number(12345), "12345");
	EXPECT_EQ(Number(-42), "-42");
	EXPECT_EQ(Number(9007199254740991.0), "9007199254740991");
	EXPECT_EQ(Number(9007199254740992.0), "9007199254740992");
	EXPECT_EQ(Number(0.1), "0.1");
	EXPECT_EQ(Number(1.7e18), "1.7e+18");
	EXPECT_EQ(Number(std::numeric_limits<double>::quiet_NaN()), "\"NaN\"");
	EXPECT_EQ(Number(std::numeric_limits<double>::infinity()), "\"Infinity\"");
	EXPECT_EQ(Number(-std::numeric_limits<double>::infinity()), "\"-Infinity\"");
	for (double d : {5e-324, 1.7976931348623157e308, 1e-7, 123.456, 1712345678901234567.0, 2.5e15 + 0.5}) {
		std::string text = Number(d);
		EXPECT_EQ(json::parse(text).get<double>(), d) << text;
	}
}

TEST(WireJson, RandomDoublesRoundTrip) {
	std::mt19937_64 rng(1);
	for (int i = 0; i < 20000; i++) {
		uint64_t bits = rng();
		double d;
		std::memcpy(&d, &bits, sizeof d);
		if (!std::isfinite(d))
			continue;
		std::string text = Number(d);
		ASSERT_EQ(std::strtod(text.c_str(), nullptr), d) << text;
		ASSERT_NO_THROW(json::parse(text)) << text;
	}
}

TEST(WireJson, StringEscaping) {
	EXPECT_EQ(JsonString("plain"), "\"plain\"");
	EXPECT_EQ(JsonString("a\"b\\c/d"), R"("a\"b\\c/d")");
	EXPECT_EQ(JsonString("\b\f\n\r\t"), R"("\b\f\n\r\t")");
	EXPECT_EQ(JsonString("\x01\x1f\x7f"), "\"\\u0001\\u001f\x7f\"");
	EXPECT_EQ(JsonString("caf\xC3\xA9 \xF0\x9F\x98\x80"), "\"caf\xC3\xA9 \xF0\x9F\x98\x80\"");
	std::string all;
	for (int c = 1; c < 128; c++)
		all.push_back(static_cast<char>(c));
	EXPECT_EQ(json::parse(JsonString(all)).get<std::string>(), all);
}

TEST(WireJson, EnvelopeShapeAndSpecialValues) {
	MeasurementEnvelope env;
	env.set_dbname("db1");
	env.set_metricname("m");
	auto &row = *env.add_data()->mutable_fields();
	row["nan"].set_number_value(std::numeric_limits<double>::quiet_NaN());
	row["inf"].set_number_value(-std::numeric_limits<double>::infinity());
	row["epoch_ns"].set_number_value(1712345678901234567.0);
	row["none"]; // a Value with no kind: rendered as null
	row["q"].set_string_value("say \"hi\"\n");
	std::string out;
	ASSERT_TRUE(Render(wire::PayloadKind::kMeasurement, env.SerializeAsString(), &out).ok());
	json j = json::parse(out);
	EXPECT_EQ(j["DBName"], "db1");
	EXPECT_EQ(j["CustomTags"], json::object());
	EXPECT_EQ(j["Data"][0]["nan"], "NaN");
	EXPECT_EQ(j["Data"][0]["inf"], "-Infinity");
	EXPECT_EQ(j["Data"][0]["epoch_ns"].get<double>(), 1712345678901234567.0);
	EXPECT_TRUE(j["Data"][0]["none"].is_null());
	EXPECT_EQ(j["Data"][0]["q"], "say \"hi\"\n");
}

TEST(WireJson, DecodeSkipsNameRulesButNotJsonbNeeds) {
	MeasurementEnvelope env;
	env.set_dbname("not a valid source name; but stored by an older version");
	std::string out;
	ASSERT_TRUE(Render(wire::PayloadKind::kMeasurement, env.SerializeAsString(), &out).ok());
	EXPECT_EQ(json::parse(out)["MetricName"], "");

	(*env.add_data()->mutable_fields())["s"].set_string_value(std::string("a\0", 2));
	out.clear();
	wire::ScanResult r = Render(wire::PayloadKind::kMeasurement, env.SerializeAsString(), &out);
	EXPECT_EQ(r.status, wire::ScanStatus::kInvalid);
	EXPECT_NE(r.message.find("Data[0].s"), std::string::npos);

	out.clear();
	r = Render(wire::PayloadKind::kMeasurement,
	           "\x0a\x0a"
	           "truncated",
	           &out);
	EXPECT_EQ(r.status, wire::ScanStatus::kMalformed);
}

TEST(WireJson, DepthLimitAppliesToDecodeToo) {
	gpb::Struct st;
	gpb::Value *v = &(*st.mutable_fields())["a"];
	for (int i = 0; i < 5; i++)
		v = v->mutable_list_value()->add_values();
	v->set_bool_value(true);
	wire::Limits limits;
	limits.max_depth = 6;
	std::string out;
	ASSERT_TRUE(Render(wire::PayloadKind::kDefine, st.SerializeAsString(), &out, limits).ok());
	EXPECT_EQ(json::parse(out), json::parse(R"({"a":[[[[[true]]]]]})"));
	limits.max_depth = 5;
	out.clear();
	EXPECT_EQ(Render(wire::PayloadKind::kDefine, st.SerializeAsString(), &out, limits).status,
	          wire::ScanStatus::kInvalid);
}

TEST(WireJson, SyncOperationNames) {
	const char *names[] = {"InvalidOp", "AddOp", "DeleteOp", "DefineOp"};
	for (int op = 0; op < 4; op++) {
		SyncReq req;
		req.set_operation(static_cast<SyncOp>(op));
		std::string out;
		ASSERT_TRUE(Render(wire::PayloadKind::kSync, req.SerializeAsString(), &out).ok());
		EXPECT_EQ(json::parse(out), json({{"DBName", ""}, {"MetricName", ""}, {"Operation", names[op]}}));
	}
	SyncReq req;
	req.set_dbname("db");
	req.set_operation(static_cast<SyncOp>(42));
	std::string out;
	ASSERT_TRUE(Render(wire::PayloadKind::kSync, req.SerializeAsString(), &out).ok());
	EXPECT_EQ(out, R"({"DBName":"db","MetricName":"","Operation":42})");
}

TEST(WireJson, ParsePayloadKind) {
	wire::PayloadKind kind;
	ASSERT_TRUE(wire::ParsePayloadKind("measurement", &kind));
	EXPECT_EQ(kind, wire::PayloadKind::kMeasurement);
	ASSERT_TRUE(wire::ParsePayloadKind("sync", &kind));
	EXPECT_EQ(kind, wire::PayloadKind::kSync);
	ASSERT_TRUE(wire::ParsePayloadKind("define", &kind));
	EXPECT_EQ(kind, wire::PayloadKind::kDefine);
	EXPECT_FALSE(wire::ParsePayloadKind("Measurement", &kind));
	EXPECT_FALSE(wire::ParsePayloadKind("", &kind));
}

TEST(WireJson, AppendsToExistingOutput) {
	std::string out = "prefix:";
	ASSERT_TRUE(Render(wire::PayloadKind::kDefine, "", &out).ok());
	EXPECT_EQ(out, "prefix:{}");
}
