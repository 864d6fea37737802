// An oracle of the postgres sink's row mapping (SINKS.md §0.1, §1.2, the texts described in
// sinks/postgres/row_mapping.hpp), independent of the sink's code: it maps an envelope the way
// the sink did until 2026-12 (the payload rendered by wire::PayloadToJson, parsed with
// nlohmann::json, mapped from the tree) and prints numbers from printf's digits, not
// std::to_chars. Also the Go %v of the JSON documents' tags.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace pgwatch_rpc::oracle {

struct PgwatchRow {
	int64_t time_us = 0;
	std::string data;
	std::string tag_data;
};

// PgwatchRows: the rows pgwatch's postgres sink stores for an envelope, given as its
// protojson (wire::PayloadToJson, parsed).
std::vector<PgwatchRow> PgwatchRows(const nlohmann::json &envelope, int64_t received_at_us);

// GoValueString: a tag value as Go's %v prints it, integral numbers below 1e21 without a
// decimal point (§0.1).
std::string GoValueString(const nlohmann::json &value);

// GoJson: a value as Go's encoding/json prints it from a map of float64 numbers, integral
// numbers with all their digits.
std::string GoJson(const nlohmann::json &value);

} // namespace pgwatch_rpc::oracle
