// Row documents (document.hpp).
#include "core/json/document.hpp"

#include "core/json/value_text.hpp"
#include "core/wire/json_text.hpp"

namespace pgwatch_rpc::json {

void AppendFieldValue(const Field &field, std::string *out) {
	if (field.kind == ValueKind::kString)
		wire::AppendJsonString(field.text, out);
	else
		out->append(field.text);
}

void AppendTagsObject(const std::vector<Tag> &tags, std::string *out) {
	out->push_back('{');
	for (size_t i = 0; i < tags.size(); i++) {
		if (i > 0)
			out->push_back(',');
		wire::AppendJsonString(tags[i].key, out);
		out->push_back(':');
		wire::AppendJsonString(tags[i].value, out);
	}
	out->push_back('}');
}

void AppendFieldsObject(const std::vector<Field> &fields, std::string *out) {
	out->push_back('{');
	for (size_t i = 0; i < fields.size(); i++) {
		if (i > 0)
			out->push_back(',');
		wire::AppendJsonString(fields[i].key, out);
		out->push_back(':');
		AppendFieldValue(fields[i], out);
	}
	out->push_back('}');
}

void AppendDocumentMembers(const Row &row, std::string *out) {
	out->append("\"@timestamp\":\"");
	AppendRfc3339Nanos(row.time_ns, out);
	out->append("\",\"dbname\":");
	wire::AppendJsonString(row.dbname, out);
	out->append(",\"metric\":");
	wire::AppendJsonString(row.metric, out);
	out->append(",\"tags\":");
	AppendTagsObject(*row.tags, out);
	out->append(",\"data\":");
	AppendFieldsObject(*row.fields, out);
}

void AppendDocument(const Row &row, std::string *out) {
	out->push_back('{');
	AppendDocumentMembers(row, out);
	out->push_back('}');
}

DocumentSerializer::DocumentSerializer(DocumentOptions options) : options_(std::move(options)) {}

wire::ScanResult DocumentSerializer::AppendRecord(const sink::Record &record, std::string *out,
                                                  size_t *rows) {
	size_t count = 0;
	wire::ScanResult result = rows_.Open(record);
	if (result.ok()) {
		Row row;
		while (rows_.Next(&row)) {
			out->push_back('{');
			AppendDocumentMembers(row, out);
			if (!options_.row_id_key.empty()) {
				out->push_back(',');
				wire::AppendJsonString(options_.row_id_key, out);
				out->append(":\"");
				ids_.Append(record, row, out);
				out->push_back('"');
			}
			out->push_back('}');
			out->append(options_.separator);
			count++;
		}
	}
	if (rows != nullptr)
		*rows = count;
	return result;
}

} // namespace pgwatch_rpc::json
