// Row decoding of spool measurement records (measurement_rows.hpp). The bytes are validated
// once by the wire scanner in decode mode, so the walk below cannot overrun or meet invalid
// UTF-8; it follows libprotobuf's merge rules as wire::PayloadToJson does (last key wins, a
// Value keeps its last kind, a value given in several pieces is their concatenation).
// Nested objects and lists, rare in pgwatch rows, are rendered by wire::PayloadToJson itself
// so that there is one renderer of nested values.
#include "core/json/measurement_rows.hpp"

#include "core/json/value_text.hpp"
#include "core/wire/payload_json.hpp"
#include "core/wire/proto_fields.hpp"
#include "core/wire/scan_mode.hpp"
#include "core/wire/wire_reader.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace pgwatch_rpc::json {

namespace {

using namespace wire::fields;
using wire::WireField;
using wire::WireType;

constexpr std::string_view kTagPrefix = "tag_";
constexpr std::string_view kEpochKey = "epoch_ns";

// ForEachField walks bytes the scanner has validated; a read error would mean a scanner bug,
// and the walk then stops rather than overrun.
template <typename Fn> void ForEachField(const uint8_t *p, const uint8_t *end, Fn fn) {
	WireField f;
	while (p < end && wire::ReadField(&p, end, &f) == wire::WireError::kNone)
		fn(f);
}

// LastString: the payload of the last length-delimited field `number` in [p, end).
std::string_view LastString(const uint8_t *p, const uint8_t *end, uint32_t number) {
	std::string_view found;
	ForEachField(p, end, [&](const WireField &f) {
		if (f.number == number && f.type == WireType::kLen)
			found = View(f.data, f.size);
	});
	return found;
}

void AppendVarint(uint64_t value, std::string *out) {
	while (value >= 0x80) {
		out->push_back(static_cast<char>((value & 0x7F) | 0x80));
		value >>= 7;
	}
	out->push_back(static_cast<char>(value));
}

size_t VarintSize(uint64_t value) {
	size_t n = 1;
	while (value >= 0x80) {
		value >>= 7;
		n++;
	}
	return n;
}

// ValidEpochNs: SINKS.md §0.1 accepts epoch_ns in (0, 9.2e18); the conversion is then exact
// for the integral doubles pgwatch sends.
bool ValidEpochNs(double value) {
	return std::isfinite(value) && value > 0 && value < 9.2e18;
}

int64_t MicrosToNanos(int64_t us) {
	constexpr int64_t kMax = std::numeric_limits<int64_t>::max() / 1000;
	return std::clamp(us, -kMax, kMax) * 1000;
}

} // namespace

// A decoded Value. bytes/size cover the whole Value message (for nested kinds); in_scratch
// says that str points into merged_, which the next entry overwrites.
struct MeasurementRows::Value {
	ValueKind kind = ValueKind::kNull;
	double number = 0;
	bool boolean = false;
	std::string_view str;
	const uint8_t *bytes = nullptr;
	size_t size = 0;
	bool in_scratch = false;
};

wire::Limits SpoolDecodeLimits() {
	wire::Limits limits;
	limits.max_rows = 1u << 30;
	limits.max_depth = wire::kMaxDepthCap;
	limits.max_string_bytes = 1u << 30;
	limits.max_name_bytes = 1u << 30;
	limits.max_fields_per_struct = 1u << 30;
	return limits;
}

wire::ScanResult MeasurementRows::Open(const sink::Record &record) {
	pos_ = end_ = nullptr;
	row_count_ = next_index_ = 0;
	if (record.kind != sink::RecordKind::kMeasurement)
		return {wire::ScanStatus::kInvalid, "spool record is not a measurement (UpdateMeasurements) record"};
	const auto *data = reinterpret_cast<const uint8_t *>(record.payload.data());
	wire::EnvelopeSummary summary;
	wire::ScanResult result = wire::ScanMeasurementEnvelopeIn(wire::ScanMode::kDecode, data,
	                                                          record.payload.size(), limits_, &summary);
	if (!result.ok())
		return result;
	dbname_ = summary.dbname;
	metric_ = summary.metric;
	row_count_ = summary.nrows;
	pos_ = data;
	end_ = data + record.payload.size();
	ReadCustomTags();

	// The envelope time (§0.1): Data[0].epoch_ns, else the receive time.
	envelope_time_ns_ = MicrosToNanos(record.received_at_us);
	has_envelope_epoch_ = false;
	bool first_row_seen = false;
	ForEachField(pos_, end_, [&](const WireField &row) {
		if (first_row_seen || row.number != kEnvData || row.type != WireType::kLen)
			return;
		first_row_seen = true;
		ForEachField(row.data, row.data + row.size, [&](const WireField &f) {
			if (f.number != kStructFields || f.type != WireType::kLen)
				return;
			Entry entry = ReadEntry(f, 0);
			if (entry.key != kEpochKey)
				return;
			Value value = EntryValue(entry); // the last epoch_ns entry decides, as for any key
			has_envelope_epoch_ = value.kind == ValueKind::kNumber && ValidEpochNs(value.number);
			envelope_time_ns_ = has_envelope_epoch_ ? static_cast<int64_t>(value.number)
			                                        : MicrosToNanos(record.received_at_us);
		});
	});
	return result;
}

bool MeasurementRows::Next(Row *row) {
	WireField f;
	while (pos_ < end_) {
		if (wire::ReadField(&pos_, end_, &f) != wire::WireError::kNone) {
			pos_ = end_;
			return false;
		}
		if (f.number != kEnvData || f.type != WireType::kLen)
			continue;
		DecodeRow(f.data, f.data + f.size);
		row->index = next_index_++;
		row->time_ns = row_time_ns_;
		row->dbname = dbname_;
		row->metric = metric_;
		row->tags = &tags_;
		row->fields = &fields_;
		return true;
	}
	return false;
}

void MeasurementRows::ReadCustomTags() {
	custom_tags_.clear();
	ForEachField(pos_, end_, [&](const WireField &f) {
		if (f.number == kEnvCustomTags && f.type == WireType::kLen)
			custom_tags_.push_back({LastString(f.data, f.data + f.size, kEntryKey),
			                        LastString(f.data, f.data + f.size, kEntryValue)});
	});
	// Map semantics: a key given twice keeps its last entry.
	std::stable_sort(custom_tags_.begin(), custom_tags_.end(),
	                 [](const Tag &a, const Tag &b) { return a.key < b.key; });
	size_t kept = 0;
	for (size_t i = 0; i < custom_tags_.size(); i++)
		if (i + 1 == custom_tags_.size() || custom_tags_[i + 1].key != custom_tags_[i].key)
			custom_tags_[kept++] = custom_tags_[i];
	custom_tags_.resize(kept);
}

void MeasurementRows::DecodeRow(const uint8_t *p, const uint8_t *end) {
	entries_.clear();
	ForEachField(p, end, [&](const WireField &f) {
		if (f.number == kStructFields && f.type == WireType::kLen)
			entries_.push_back(ReadEntry(f, static_cast<uint32_t>(entries_.size())));
	});
	std::sort(entries_.begin(), entries_.end(), [](const Entry &a, const Entry &b) {
		if (a.key_prefix != b.key_prefix)
			return a.key_prefix < b.key_prefix;
		int order = a.key.compare(b.key);
		return order != 0 ? order < 0 : a.seq < b.seq;
	});

	fields_.clear();
	row_tags_.clear();
	pending_.clear();
	values_.clear();
	row_time_ns_ = envelope_time_ns_;
	for (size_t i = 0; i < entries_.size(); i++) {
		const Entry &entry = entries_[i];
		if (i + 1 < entries_.size() && entries_[i + 1].key == entry.key)
			continue; // superseded by a later entry with the same key
		Value value = EntryValue(entry);
		if (entry.key == kEpochKey) {
			if (value.kind == ValueKind::kNumber && ValidEpochNs(value.number))
				row_time_ns_ = static_cast<int64_t>(value.number);
			if (!texts_.epoch_ns_field)
				continue;
		}
		bool is_tag = entry.key.substr(0, kTagPrefix.size()) == kTagPrefix;
		size_t index = is_tag ? row_tags_.size() : fields_.size();
		size_t start = values_.size();
		std::string_view text;
		switch (value.kind) {
		case ValueKind::kNull:
			text = is_tag ? "<nil>" : "null";
			break;
		case ValueKind::kBool:
			text = value.boolean ? "true" : "false";
			break;
		case ValueKind::kString:
			text = value.str;
			if (value.in_scratch) {
				values_.append(value.str);
				pending_.push_back({is_tag, index, start, value.str.size()});
			}
			break;
		case ValueKind::kNumber:
			(is_tag ? texts_.tag_number : texts_.field_number)(value.number, &values_);
			pending_.push_back({is_tag, index, start, values_.size() - start});
			break;
		case ValueKind::kObject:
		case ValueKind::kList: {
			std::string_view json = RenderNested(value.bytes, value.size, is_tag);
			pending_.push_back(
			    {is_tag, index, static_cast<size_t>(json.data() - values_.data()), json.size()});
			break;
		}
		}
		if (is_tag)
			row_tags_.push_back({entry.key.substr(kTagPrefix.size()), text});
		else
			fields_.push_back({entry.key, value.kind, value.number, text});
	}
	for (const Pending &pending : pending_) {
		std::string_view text(values_.data() + pending.offset, pending.length);
		if (pending.is_tag)
			row_tags_[pending.index].value = text;
		else
			fields_[pending.index].text = text;
	}
	MergeTags();
}

MeasurementRows::Entry MeasurementRows::ReadEntry(const WireField &f, uint32_t seq) {
	Entry entry{{}, 0, f.data, f.size, nullptr, 0, 0, seq};
	ForEachField(f.data, f.data + f.size, [&](const WireField &part) {
		if (part.type != WireType::kLen)
			return;
		if (part.number == kEntryKey) {
			entry.key = View(part.data, part.size);
		} else if (part.number == kEntryValue) {
			entry.value = part.data;
			entry.value_size = part.size;
			entry.values++;
		}
	});
	for (size_t i = 0; i < 8; i++)
		entry.key_prefix =
		    entry.key_prefix << 8 | (i < entry.key.size() ? static_cast<uint8_t>(entry.key[i]) : 0);
	return entry;
}

MeasurementRows::Value MeasurementRows::EntryValue(const Entry &entry) {
	const uint8_t *only = entry.value;
	size_t only_size = entry.value_size;
	Value value;
	if (entry.values == 0)
		return value; // an entry without a value renders as null
	if (entry.values > 1) {
		merged_.clear();
		ForEachField(entry.data, entry.data + entry.size, [&](const WireField &f) {
			if (f.number == kEntryValue && f.type == WireType::kLen)
				merged_.append(reinterpret_cast<const char *>(f.data), f.size);
		});
		only = reinterpret_cast<const uint8_t *>(merged_.data());
		only_size = merged_.size();
		value.in_scratch = true;
	}
	value.bytes = only;
	value.size = only_size;
	WireField last;
	bool any = false;
	ForEachField(only, only + only_size, [&](const WireField &f) {
		if (IsValueKind(f)) {
			last = f;
			any = true;
		}
	});
	if (!any)
		return value; // a Value with no kind set renders as null
	switch (last.number) {
	case kValueNumber:
		value.kind = ValueKind::kNumber;
		value.number = wire::LoadDouble(last.data);
		break;
	case kValueString:
		value.kind = ValueKind::kString;
		value.str = View(last.data, last.size);
		break;
	case kValueBool:
		value.kind = ValueKind::kBool;
		value.boolean = last.varint != 0;
		break;
	case kValueStruct:
		value.kind = ValueKind::kObject;
		break;
	case kValueList:
		value.kind = ValueKind::kList;
		break;
	default:
		break; // kValueNull
	}
	return value;
}

// RenderNested appends the text of a Value holding an object or a list to values_ and returns
// it: its JSON, or for a tag with ValueTexts::nested_tag_text what that makes of the JSON. The
// Value is wrapped as the only entry of a Struct with the key "", rendered by
// wire::PayloadToJson ({"":…}), and the wrapper's characters are left out.
std::string_view MeasurementRows::RenderNested(const uint8_t *p, size_t size, bool is_tag) {
	nested_.clear();
	size_t entry_size = 1 + VarintSize(size) + size;
	nested_.push_back(static_cast<char>(kStructFields << 3 | 2));
	AppendVarint(entry_size, &nested_);
	nested_.push_back(static_cast<char>(kEntryValue << 3 | 2));
	AppendVarint(size, &nested_);
	nested_.append(reinterpret_cast<const char *>(p), size);

	constexpr size_t kPrefix = 4, kSuffix = 1; // {"": and }
	bool rewrite = is_tag && texts_.nested_tag_text != nullptr;
	std::string &json = rewrite ? nested_json_ : values_;
	if (rewrite)
		json.clear();
	size_t start = json.size();
	wire::ScanResult res =
	    wire::PayloadToJson(wire::PayloadKind::kDefine, reinterpret_cast<const uint8_t *>(nested_.data()),
	                        nested_.size(), limits_, &json, is_tag ? texts_.nested_tag : texts_.nested_field);
	std::string_view text;
	if (res.ok() && json.size() >= start + kPrefix + kSuffix) {
		text = {json.data() + start + kPrefix, json.size() - start - kPrefix - kSuffix};
	} else {
		json.resize(start); // unreachable: the same bytes passed the same checks in Open
		json.append("null");
		text = {json.data() + start, 4};
	}
	if (!rewrite)
		return text;
	size_t at = values_.size();
	texts_.nested_tag_text(text, &values_);
	return {values_.data() + at, values_.size() - at};
}

void MeasurementRows::MergeTags() {
	tags_.clear();
	size_t c = 0, r = 0;
	while (c < custom_tags_.size() || r < row_tags_.size()) {
		if (r == row_tags_.size() || (c < custom_tags_.size() && custom_tags_[c].key < row_tags_[r].key)) {
			tags_.push_back(custom_tags_[c++]);
			continue;
		}
		if (c < custom_tags_.size() && custom_tags_[c].key == row_tags_[r].key)
			c++; // the row's tag wins (§0.1)
		tags_.push_back(row_tags_[r++]);
	}
}

} // namespace pgwatch_rpc::json
