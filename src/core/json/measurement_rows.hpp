// Reads the rows of a spool measurement record straight from its protobuf bytes
// (MeasurementEnvelope) into what every JSON-speaking sink needs per row (SINKS.md §0.1): the
// row time, the source and metric, the merged tags and the fields, without building
// libprotobuf or nlohmann objects. The hot path of the elastic, splunk, webhook and file sinks,
// and of the postgres sink's rows (with pgwatch's ValueTexts).
#pragma once
#include "core/core_only.hpp"
#include "core/json/value_text.hpp"
#include "core/sink/sink.hpp"
#include "core/wire/envelope_scan.hpp"
#include "core/wire/payload_json.hpp"
#include "core/wire/wire_reader.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pgwatch_rpc::json {

// SpoolDecodeLimits: spool rows passed the listener's limits when they arrived; decoding them
// again must not refuse a row because a limit was lowered since, so only the hard ceilings
// apply.
wire::Limits SpoolDecodeLimits();

// ValueTexts: how MeasurementRows writes the values of a row as text. The defaults are the
// JSON documents' (the HTTP and file sinks; see Tag and Field); the postgres sink passes
// pgwatch's storage rules (sinks/postgres/row_mapping.hpp).
struct ValueTexts {
	bool epoch_ns_field = false; // keep epoch_ns among the fields too (pgwatch's data keeps it)
	void (*field_number)(double value, std::string *out) = AppendJsonNumber;
	void (*tag_number)(double value, std::string *out) = AppendGoNumber;
	// A nested object or list is its JSON as wire::PayloadToJson renders it with these options
	// (by default rpc_decode's: wire order, protojson numbers)...
	wire::RenderOptions nested_field;
	wire::RenderOptions nested_tag;
	// ...and, for a tag, that JSON passed through nested_tag_text when it is set.
	void (*nested_tag_text)(std::string_view json, std::string *out) = nullptr;
};

// A tag of a row: CustomTags and the row's tag_* fields (prefix stripped). value is plain
// UTF-8 text (not JSON-escaped), stringified as Go's %v prints it (json::AppendGoNumber;
// null becomes "<nil>"). Deviation from %v: a nested object or list is its compact JSON text.
// (These are the default ValueTexts.)
struct Tag {
	std::string_view key;
	std::string_view value;
};

enum class ValueKind { kNull, kNumber, kString, kBool, kObject, kList };

// A field of a row (every key but tag_* and, unless ValueTexts::epoch_ns_field, epoch_ns).
// text is the raw UTF-8 string for kString (escape it when writing JSON) and the JSON text of
// the value for every other kind (by default numbers per json::AppendJsonNumber, so a
// non-finite number reads "null", and objects and lists as rpc_decode renders them). number
// is set for kNumber.
struct Field {
	std::string_view key;
	ValueKind kind = ValueKind::kNull;
	double number = 0;
	std::string_view text;
};

// Row: one Data entry. tags and fields are sorted by key and unique (a key repeated on the
// wire keeps its last value, as libprotobuf does; a row tag wins over a CustomTag of the same
// name). time_ns is the row's own epoch_ns, else the envelope's (Data[0].epoch_ns), else the
// spool's receive time; an epoch_ns counts only as a number in (0, 9.2e18).
struct Row {
	size_t index = 0; // position in Data
	int64_t time_ns = 0;
	std::string_view dbname;
	std::string_view metric;
	const std::vector<Tag> *tags = nullptr;
	const std::vector<Field> *fields = nullptr;
};

// MeasurementRows walks the rows of one record at a time. Reuse one object: its buffers are
// kept between records. Views handed out point into the record's payload and into this
// object; they stay valid until the next Next or Open, and only while the record lives.
class MeasurementRows {
public:
	MeasurementRows() = default;
	explicit MeasurementRows(const ValueTexts &texts) : texts_(texts) {}

	// Open validates record.payload as a MeasurementEnvelope (structure, SpoolDecodeLimits,
	// UTF-8, no NUL: the checks rpc_decode applies) and positions before the first row. A
	// record of another kind, or bytes that fail validation, give a non-ok result whose
	// message says why (the record belongs in the dead letters).
	wire::ScanResult Open(const sink::Record &record);

	// Next decodes the next row into *row; false after the last one.
	bool Next(Row *row);

	size_t row_count() const { return row_count_; }
	std::string_view dbname() const { return dbname_; }
	std::string_view metric() const { return metric_; }
	// The envelope time (§0.1): Data[0].epoch_ns if it is a valid one (has_envelope_epoch),
	// else the receive time.
	int64_t envelope_time_ns() const { return envelope_time_ns_; }
	bool has_envelope_epoch() const { return has_envelope_epoch_; }

private:
	// One Struct entry as found on the wire: its key, its value's bytes (the last of `values`
	// pieces), and the key's first 8 bytes as a big-endian number so that sorting rarely needs
	// a string comparison (keys contain no NUL, so zero padding sorts like the end of a key).
	struct Entry {
		std::string_view key;
		uint64_t key_prefix;
		const uint8_t *data; // the entry, for joining a value given in pieces
		size_t size;
		const uint8_t *value;
		size_t value_size;
		uint32_t values;
		uint32_t seq;
	};
	// A text rendered into values_: where it lands once values_ stops growing.
	struct Pending {
		bool is_tag;
		size_t index;
		size_t offset;
		size_t length;
	};
	struct Value;

	void ReadCustomTags();
	void DecodeRow(const uint8_t *p, const uint8_t *end);
	static Entry ReadEntry(const wire::WireField &f, uint32_t seq);
	Value EntryValue(const Entry &entry);
	std::string_view RenderNested(const uint8_t *p, size_t size, bool is_tag);
	void MergeTags();

	const uint8_t *pos_ = nullptr;
	const uint8_t *end_ = nullptr;
	std::string_view dbname_;
	std::string_view metric_;
	size_t row_count_ = 0;
	size_t next_index_ = 0;
	int64_t envelope_time_ns_ = 0;
	bool has_envelope_epoch_ = false;
	int64_t row_time_ns_ = 0;
	wire::Limits limits_ = SpoolDecodeLimits();
	ValueTexts texts_;

	std::vector<Tag> custom_tags_; // sorted, unique; per record
	std::vector<Tag> row_tags_;    // tag_* of the current row, sorted by stripped key
	std::vector<Tag> tags_;        // the merge of both
	std::vector<Field> fields_;
	std::vector<Entry> entries_;
	std::vector<Pending> pending_; // texts rendered into values_, pointed to once it stops growing
	std::string values_;           // rendered values of the current row
	std::string merged_;           // a Struct entry's value given in several pieces, joined
	std::string nested_;           // scratch for rendering a nested object or list
	std::string nested_json_;      // a nested tag's JSON, when nested_tag_text rewrites it
};

} // namespace pgwatch_rpc::json
