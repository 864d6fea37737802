// Row lines of the file sink (see file_rows.hpp).
#include "sinks/file/file_rows.hpp"

#include "core/json/envelope_line.hpp"
#include "core/json/value_text.hpp"

namespace pgwatch_rpc::sinks {

void AppendCsvField(std::string_view field, std::string *out) {
	if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
		out->append(field);
		return;
	}
	out->push_back('"');
	for (char c : field) {
		if (c == '"')
			out->push_back('"');
		out->push_back(c);
	}
	out->push_back('"');
}

RowWriter::RowWriter(FileFormat format)
    : format_(format),
      header_(format == FileFormat::kCsv ? "time,epoch_ns,dbname,metric,tags,data,row_id\n" : ""),
      documents_(json::DocumentOptions{"\n", "row_id"}) {}

wire::ScanResult RowWriter::AppendRecord(const sink::Record &record, std::string *out) {
	if (format_ == FileFormat::kJsonLines)
		return documents_.AppendRecord(record, out);
	if (format_ == FileFormat::kPgwatchEnvelope)
		return json::AppendEnvelopeLine(record, out);
	wire::ScanResult result = rows_.Open(record);
	if (!result.ok())
		return result;
	json::Row row;
	while (rows_.Next(&row)) {
		json::AppendRfc3339Nanos(row.time_ns, out);
		out->push_back(',');
		out->append(std::to_string(row.time_ns));
		out->push_back(',');
		AppendCsvField(row.dbname, out);
		out->push_back(',');
		AppendCsvField(row.metric, out);
		out->push_back(',');
		field_.clear();
		json::AppendTagsObject(*row.tags, &field_);
		AppendCsvField(field_, out);
		out->push_back(',');
		field_.clear();
		json::AppendFieldsObject(*row.fields, &field_);
		AppendCsvField(field_, out);
		out->push_back(',');
		ids_.Append(record, row, out);
		out->push_back('\n');
	}
	return result;
}

} // namespace pgwatch_rpc::sinks
