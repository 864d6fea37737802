// HEC events (hec_events.hpp).
#include "sinks/splunk/hec_events.hpp"

#include "core/json/document.hpp"
#include "core/wire/json_text.hpp"

#include <charconv>

namespace pgwatch_rpc::sinks {
namespace {

constexpr std::string_view kMetricPlaceholder = "%{metric}";

bool IsReservedEventKey(std::string_view key) {
	return key == "metric" || key == "dbname" || key == "id";
}
bool IsReservedFieldKey(std::string_view key) {
	return key == "metric" || key == "dbname";
}

// AppendEpochSeconds: unix_ns as seconds with three decimals (HEC keeps milliseconds).
void AppendEpochSeconds(int64_t unix_ns, std::string *out) {
	char buf[32];
	auto res = std::to_chars(buf, buf + sizeof buf, unix_ns / 1'000'000'000);
	out->append(buf, static_cast<size_t>(res.ptr - buf));
	int64_t ms = unix_ns % 1'000'000'000 / 1'000'000;
	out->push_back('.');
	out->push_back(static_cast<char>('0' + ms / 100));
	out->push_back(static_cast<char>('0' + ms / 10 % 10));
	out->push_back(static_cast<char>('0' + ms % 10));
}

void AppendMember(std::string_view key, std::string_view value, std::string *out) {
	wire::AppendJsonString(key, out);
	out->push_back(':');
	wire::AppendJsonString(value, out);
}

} // namespace

HecSerializer::HecSerializer(const SplunkSettings &settings) : settings_(settings) {}

wire::ScanResult HecSerializer::AppendRecord(const sink::Record &record, size_t record_index,
                                             std::string *text, std::vector<HecEvent> *events) {
	wire::ScanResult result = rows_.Open(record);
	if (!result.ok())
		return result;
	json::Row row;
	while (rows_.Next(&row)) {
		HecEvent event;
		event.record = record_index;
		event.row = row.index;
		event.offset = text->size();
		AppendHeader(row, text);
		if (settings_.format == HecFormat::kEvent) {
			AppendEventBody(record, row, text);
		} else if (!AppendMetricBody(row, text)) {
			text->resize(event.offset); // no numeric field: nothing a metrics index could store
			continue;
		}
		text->append("}\n");
		event.size = text->size() - event.offset;
		events->push_back(event);
	}
	return result;
}

// AppendHeader: the event's metadata members, from "{" up to the body.
void HecSerializer::AppendHeader(const json::Row &row, std::string *out) {
	out->append("{\"time\":");
	AppendEpochSeconds(row.time_ns, out);
	if (!settings_.host_field.empty()) {
		std::string_view host = row.dbname;
		if (settings_.host_field != "dbname")
			for (const json::Tag &tag : *row.tags)
				if (tag.key == settings_.host_field)
					host = tag.value;
		out->push_back(',');
		AppendMember("host", host, out);
	}
	out->push_back(',');
	AppendMember("source", settings_.source, out);
	if (sourcetype_.empty() || row.metric != sourcetype_metric_) {
		sourcetype_metric_.assign(row.metric);
		std::string expanded = settings_.sourcetype;
		for (size_t at = expanded.find(kMetricPlaceholder); at != std::string::npos;
		     at = expanded.find(kMetricPlaceholder, at + row.metric.size()))
			expanded.replace(at, kMetricPlaceholder.size(), row.metric);
		sourcetype_.clear();
		AppendMember("sourcetype", expanded, &sourcetype_);
	}
	out->push_back(',');
	out->append(sourcetype_);
	if (!settings_.index.empty()) {
		out->push_back(',');
		AppendMember("index", settings_.index, out);
	}
}

void HecSerializer::AppendEventBody(const sink::Record &record, const json::Row &row, std::string *out) {
	out->append(",\"event\":{");
	AppendMember("metric", row.metric, out);
	out->push_back(',');
	AppendMember("dbname", row.dbname, out);
	for (const json::Field &field : *row.fields) {
		out->push_back(',');
		if (IsReservedEventKey(field.key))
			wire::AppendJsonString("field_" + std::string(field.key), out);
		else
			wire::AppendJsonString(field.key, out);
		out->push_back(':');
		json::AppendFieldValue(field, out);
	}
	out->append(",\"id\":\"");
	ids_.Append(record, row, out);
	out->append("\"},\"fields\":{");
	AppendMember("dbname", row.dbname, out);
	out->push_back(',');
	AppendMember("metric", row.metric, out);
	AppendIndexedTags(row, out);
	out->push_back('}');
}

bool HecSerializer::AppendMetricBody(const json::Row &row, std::string *out) {
	out->append(",\"event\":\"metric\",\"fields\":{");
	AppendMember("dbname", row.dbname, out);
	AppendIndexedTags(row, out);
	bool any = false;
	for (const json::Field &field : *row.fields) {
		// A non-finite number reads "null" (json::Field): a metric value it is not.
		if (field.kind != json::ValueKind::kNumber || field.text == "null")
			continue;
		metric_name_.assign("metric_name:").append(row.metric).append(".").append(field.key);
		out->push_back(',');
		wire::AppendJsonString(metric_name_, out);
		out->push_back(':');
		out->append(field.text);
		any = true;
	}
	out->push_back('}');
	return any;
}

void HecSerializer::AppendIndexedTags(const json::Row &row, std::string *out) {
	for (const json::Tag &tag : *row.tags) {
		out->push_back(',');
		if (IsReservedFieldKey(tag.key))
			AppendMember("tag_" + std::string(tag.key), tag.value, out);
		else
			AppendMember(tag.key, tag.value, out);
	}
}

} // namespace pgwatch_rpc::sinks
