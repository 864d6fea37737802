// The lines the file sink writes per measurement row (SINKS.md §14.2):
//   jsonl  the shared row document (core/json/document.hpp) plus "row_id";
//   pgwatch-envelope  a line per envelope instead, pgwatch's jsonfile shape
//          (core/json/envelope_line.hpp), without row ids: pgwatch's readers know none;
//   csv    RFC 4180, header time,epoch_ns,dbname,metric,tags,data,row_id with tags and data as
//          JSON text, "\n" line ends.
// jsonl and csv carry the row id (core/json/row_id.hpp), so a reader can drop duplicates should a
// file ever hold a row twice.
#pragma once
#include "core/core_only.hpp"
#include "core/json/document.hpp"
#include "core/json/measurement_rows.hpp"
#include "core/json/row_id.hpp"
#include "sinks/file/file_kind.hpp"

#include <string>

namespace pgwatch_rpc::sinks {

// AppendCsvField appends a field, quoted (inner quotes doubled) if it holds a comma, a quote,
// CR or LF.
void AppendCsvField(std::string_view field, std::string *out);

class RowWriter {
public:
	explicit RowWriter(FileFormat format);

	// Header: what a new file starts with ("" for jsonl).
	const std::string &Header() const { return header_; }

	// AppendRecord appends one line per row of a measurement record; on a record that cannot
	// be decoded it appends nothing and says why.
	wire::ScanResult AppendRecord(const sink::Record &record, std::string *out);

private:
	FileFormat format_;
	std::string header_;
	json::DocumentSerializer documents_;
	json::MeasurementRows rows_;
	json::RowIdHasher ids_;
	std::string field_;
};

} // namespace pgwatch_rpc::sinks
