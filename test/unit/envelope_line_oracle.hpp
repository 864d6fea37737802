// The oracle of the "pgwatch-envelope" lines (core/json/envelope_line.hpp) in the file and
// webhook sink tests: what a record's line must hold, from libprotobuf's own JSON of the
// envelope (MessageToJsonString), under pgwatch's jsonfile member names.
#pragma once

#include "core/sink/sink.hpp"

#include "pgwatch.pb.h"

#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace pgwatch_rpc::sink_test {

// ExpectedEnvelopeLine: {"custom_tags","data","dbname","metric"} of the record, parsed.
// libprotobuf writes numbers beyond 2^53 as 1.8e+18 where the line has the integer; both
// parse to equal nlohmann numbers. Empty when libprotobuf cannot parse the payload.
inline nlohmann::json ExpectedEnvelopeLine(const sink::Record &record) {
	MeasurementEnvelope env;
	if (!env.ParseFromString(record.payload))
		return {};
	google::protobuf::util::JsonPrintOptions options;
	options.always_print_primitive_fields = true;
	std::string text;
	EXPECT_TRUE(google::protobuf::util::MessageToJsonString(env, &text, options).ok());
	nlohmann::json protojson = nlohmann::json::parse(text);
	return {{"custom_tags", protojson.value("CustomTags", nlohmann::json::object())},
	        {"data", protojson.value("Data", nlohmann::json::array())},
	        {"dbname", protojson.at("DBName")},
	        {"metric", protojson.at("MetricName")}};
}

// ParsedLines: every "\n"-terminated line of text, parsed (a line that is not JSON throws,
// failing the test with the parser's message).
inline std::vector<nlohmann::json> ParsedLines(const std::string &text) {
	std::vector<nlohmann::json> lines;
	for (size_t start = 0, end; start < text.size(); start = end + 1) {
		end = text.find('\n', start);
		EXPECT_NE(end, std::string::npos) << "the last line ends with \\n";
		if (end == std::string::npos)
			end = text.size();
		lines.push_back(nlohmann::json::parse(text.substr(start, end - start)));
	}
	return lines;
}

} // namespace pgwatch_rpc::sink_test
