// The Bulk API lines of a batch (SINKS.md §2.1, §2.4): per row an action line
//   {"create":{"_index":"pgwatch-wal-2026.11.23","_id":"<64 hex digits>"}}
// and the row document (core/json/document.hpp), each ending in "\n". `create` with the
// row id as _id makes a resend harmless: the target answers 409 for a document it has.
#pragma once
#include "core/core_only.hpp"
#include "core/json/measurement_rows.hpp"
#include "core/json/row_id.hpp"
#include "core/sink/sink.hpp"
#include "sinks/elastic/elastic_kind.hpp"
#include "sinks/elastic/index_name.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace pgwatch_rpc::sinks {

// BulkDocument: one row's two lines inside a shared text buffer.
struct BulkDocument {
	size_t record = 0;       // index in Batch::records
	size_t row = 0;          // index of the row in its envelope's Data
	size_t offset = 0;       // of the action line in the text
	size_t size = 0;         // both lines with their "\n"
	size_t id_offset = 0;    // of the 64-digit _id in the text
	size_t index_offset = 0; // of the index name (JSON-safe: sanitized) in the text
	size_t index_size = 0;
};

constexpr size_t kRowIdDigits = 64;

class BulkSerializer {
public:
	explicit BulkSerializer(const ElasticSettings &settings);

	// AppendRecord appends the lines of every row of batch record `record_index` to *text and
	// their places to *documents. A record that cannot be decoded appends nothing and the
	// result says why (it belongs in the dead letters).
	wire::ScanResult AppendRecord(const sink::Record &record, size_t record_index, std::string *text,
	                              std::vector<BulkDocument> *documents);

private:
	json::MeasurementRows rows_;
	json::RowIdHasher ids_;
	IndexNamer names_;
};

// DocumentId / DocumentIndex: the _id and _index of a document, for messages.
inline std::string_view DocumentId(std::string_view text, const BulkDocument &doc) {
	return text.substr(doc.id_offset, kRowIdDigits);
}
inline std::string_view DocumentIndex(std::string_view text, const BulkDocument &doc) {
	return text.substr(doc.index_offset, doc.index_size);
}

} // namespace pgwatch_rpc::sinks
