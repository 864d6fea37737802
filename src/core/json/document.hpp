// The row document of the JSON-speaking sinks (SINKS.md §2.5, also the webhook body and the
// JSONL file "row" format of §14): one JSON object per measurement row, written straight into
// a caller's buffer,
//   {"@timestamp":"2026-11-23T19:42:20.000000000Z","dbname":"db1","metric":"wal",
//    "tags":{"env":"prod","sys_id":"7"},"data":{"in_recovery_int":0,"xlog_location_b":100}}
// @timestamp is the row time (measurement_rows.hpp); epoch_ns is not repeated in data. Tags
// and data come with sorted keys (nested objects keep their wire order), so the same payload
// always gives the same bytes, retries included.
#pragma once
#include "core/core_only.hpp"
#include "core/json/measurement_rows.hpp"
#include "core/json/row_id.hpp"

#include <string>
#include <string_view>

namespace pgwatch_rpc::json {

// AppendFieldValue appends a field's value as JSON.
void AppendFieldValue(const Field &field, std::string *out);

// AppendTagsObject / AppendFieldsObject append {"key":value,…} of a row's tags (string
// values) or fields.
void AppendTagsObject(const std::vector<Tag> &tags, std::string *out);
void AppendFieldsObject(const std::vector<Field> &fields, std::string *out);

// AppendDocumentMembers appends the members of the row document without the braces, for a
// sink that adds members of its own; AppendDocument appends the whole object.
void AppendDocumentMembers(const Row &row, std::string *out);
void AppendDocument(const Row &row, std::string *out);

struct DocumentOptions {
	std::string separator = "\n"; // written after every document ("\n" gives NDJSON)
	std::string row_id_key;       // if set, each document also carries its row id (row_id.hpp) under this key
};

// DocumentSerializer appends the documents of whole records. Keep one per sink: it reuses
// its decoding buffers and digest context.
class DocumentSerializer {
public:
	explicit DocumentSerializer(DocumentOptions options = {});

	// AppendRecord appends one document plus separator per row of a measurement record and
	// sets *rows (if given) to their number. If the record cannot be decoded (see
	// MeasurementRows::Open) nothing is appended and the result says why.
	wire::ScanResult AppendRecord(const sink::Record &record, std::string *out, size_t *rows = nullptr);

private:
	DocumentOptions options_;
	MeasurementRows rows_;
	RowIdHasher ids_;
};

} // namespace pgwatch_rpc::json
