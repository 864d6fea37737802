// Bulk API lines of the rows of spool records (bulk_documents.hpp).
#include "sinks/elastic/bulk_documents.hpp"

#include "core/json/document.hpp"

namespace pgwatch_rpc::sinks {

BulkSerializer::BulkSerializer(const ElasticSettings &settings) : names_(settings) {}

wire::ScanResult BulkSerializer::AppendRecord(const sink::Record &record, size_t record_index,
                                              std::string *text, std::vector<BulkDocument> *documents) {
	wire::ScanResult result = rows_.Open(record);
	if (!result.ok())
		return result;
	json::Row row;
	while (rows_.Next(&row)) {
		BulkDocument doc;
		doc.record = record_index;
		doc.row = row.index;
		doc.offset = text->size();
		// Index names are sanitized to [a-z0-9._-] plus the template's checked text: no escaping.
		text->append("{\"create\":{\"_index\":\"");
		const std::string &index = names_.Name(row.metric, row.dbname, row.time_ns);
		doc.index_offset = text->size();
		doc.index_size = index.size();
		text->append(index);
		text->append("\",\"_id\":\"");
		doc.id_offset = text->size();
		ids_.Append(record, row, text);
		text->append("\"}}\n");
		json::AppendDocument(row, text);
		text->push_back('\n');
		doc.size = text->size() - doc.offset;
		documents->push_back(doc);
	}
	return result;
}

} // namespace pgwatch_rpc::sinks
