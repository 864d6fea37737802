// PayloadToJson: validate (decode-mode scan), then render protobuf wire bytes as
// protojson-equivalent JSON without building libprotobuf objects.
//
// Merge semantics are those of libprotobuf: a map entry or message field that occurs
// several times is the merge of its occurrences, which equals parsing the concatenation
// of their bytes; a Value keeps its last oneof member (struct_value/list_value occurrences
// in a row merge); a Struct keeps the last entry per key. Only such pathological inputs
// cost an allocation (the concatenation); ordinary encoders never produce them.
// Deviation: a Value with no kind set renders as null (C++ protojson drops the key,
// Go's protojson refuses the message).
#include "core/wire/payload_json.hpp"

#include "core/wire/json_text.hpp"
#include "core/wire/proto_fields.hpp"
#include "core/wire/scan_mode.hpp"
#include "core/wire/wire_reader.hpp"

#include <algorithm>
#include <vector>

namespace pgwatch_rpc::wire {

namespace {

using namespace fields;

// Renders already-validated bytes; ReadField failures can therefore only mean a bug in
// the scanner, and the renderer stops reading that message rather than overrun it.
class Renderer {
public:
	Renderer(std::string *out, int max_depth, const RenderOptions &options)
	    : out_(out), options_(options), scratch_(static_cast<size_t>(max_depth) + 1) {}

	void Struct(const uint8_t *p, const uint8_t *end, int depth) {
		Object(p, end, kStructFields, depth, [this, depth](const EntryRef &e) { EntryValue(e, depth); });
	}

	// Tags renders CustomTags: every field 3 of the envelope is one entry.
	void Tags(const uint8_t *p, const uint8_t *end) {
		Object(p, end, kEnvCustomTags, 0, [this](const EntryRef &e) {
			std::string_view value;
			ForEachField(e.data, e.data + e.size, [&](const WireField &f) {
				if (f.number == kEntryValue && f.type == WireType::kLen)
					value = View(f.data, f.size);
			});
			AppendJsonString(value, out_);
		});
	}

	void Rows(const uint8_t *p, const uint8_t *end) {
		out_->push_back('[');
		bool first = true;
		ForEachField(p, end, [&](const WireField &f) {
			if (f.number != kEnvData || f.type != WireType::kLen)
				return;
			if (!first)
				out_->push_back(',');
			first = false;
			Struct(f.data, f.data + f.size, 1);
		});
		out_->push_back(']');
	}

private:
	struct EntryRef {
		std::string_view key;
		const uint8_t *data;
		size_t size;
		size_t seq;
		bool superseded;
	};

	template <typename Fn> static void ForEachField(const uint8_t *p, const uint8_t *end, Fn fn) {
		WireField f;
		while (p < end && ReadField(&p, end, &f) == WireError::kNone)
			fn(f);
	}

	// Object renders a map (Struct.fields or CustomTags): entries are the fields numbered
	// entry_field; keys keep their last entry (proto map semantics), in wire order or, with
	// options_.sorted_keys, in key order.
	template <typename ValueFn>
	void Object(const uint8_t *p, const uint8_t *end, uint32_t entry_field, int depth, ValueFn value_fn) {
		std::vector<EntryRef> &entries = scratch_[depth].entries;
		std::vector<EntryRef *> &sorted = scratch_[depth].sorted;
		entries.clear();
		ForEachField(p, end, [&](const WireField &f) {
			if (f.number != entry_field || f.type != WireType::kLen)
				return;
			std::string_view key;
			ForEachField(f.data, f.data + f.size, [&](const WireField &k) {
				if (k.number == kEntryKey && k.type == WireType::kLen)
					key = View(k.data, k.size);
			});
			entries.push_back(EntryRef{key, f.data, f.size, entries.size(), false});
		});
		if (entries.size() > 1) {
			sorted.clear();
			for (EntryRef &e : entries)
				sorted.push_back(&e);
			std::sort(sorted.begin(), sorted.end(), [](const EntryRef *a, const EntryRef *b) {
				return a->key != b->key ? a->key < b->key : a->seq < b->seq;
			});
			for (size_t i = 0; i + 1 < sorted.size(); i++)
				if (sorted[i]->key == sorted[i + 1]->key)
					sorted[i]->superseded = true;
		}
		bool in_key_order = options_.sorted_keys && entries.size() > 1;
		out_->push_back('{');
		bool first = true;
		for (size_t i = 0; i < entries.size(); i++) {
			const EntryRef &e = in_key_order ? *sorted[i] : entries[i];
			if (e.superseded)
				continue;
			if (!first)
				out_->push_back(',');
			first = false;
			AppendJsonString(e.key, out_);
			out_->push_back(':');
			value_fn(e);
		}
		out_->push_back('}');
	}

	// EntryValue renders the value of a Struct entry: the merge of all its field-2 occurrences.
	void EntryValue(const EntryRef &e, int depth) {
		const uint8_t *only = nullptr;
		size_t only_size = 0, count = 0;
		ForEachField(e.data, e.data + e.size, [&](const WireField &f) {
			if (f.number == kEntryValue && f.type == WireType::kLen) {
				only = f.data;
				only_size = f.size;
				count++;
			}
		});
		if (count == 0) {
			out_->append("null");
			return;
		}
		if (count == 1) {
			Value(only, only + only_size, depth);
			return;
		}
		std::string merged = Concatenate(e.data, e.data + e.size, kEntryValue);
		const auto *m = reinterpret_cast<const uint8_t *>(merged.data());
		Value(m, m + merged.size(), depth);
	}

	// Concatenate joins the payloads of every field `number` (wire type 2) in [p, end).
	static std::string Concatenate(const uint8_t *p, const uint8_t *end, uint32_t number) {
		std::string joined;
		ForEachField(p, end, [&](const WireField &f) {
			if (f.number == number && f.type == WireType::kLen)
				joined.append(reinterpret_cast<const char *>(f.data), f.size);
		});
		return joined;
	}

	void Value(const uint8_t *p, const uint8_t *end, int depth) {
		WireField last;
		const uint8_t *run_start = nullptr;
		size_t run_count = 0;
		ForEachField(p, end, [&](const WireField &f) {
			if (!IsValueKind(f))
				return;
			bool message_kind = f.number == kValueStruct || f.number == kValueList;
			if (run_count > 0 && message_kind && f.number == last.number) {
				run_count++;
			} else {
				run_start = f.start;
				run_count = 1;
			}
			last = f;
		});
		if (run_count == 0) {
			out_->append("null");
			return;
		}
		switch (last.number) {
		case kValueNull:
			out_->append("null");
			return;
		case kValueNumber:
			options_.append_number(LoadDouble(last.data), out_);
			return;
		case kValueString:
			AppendJsonString(View(last.data, last.size), out_);
			return;
		case kValueBool:
			out_->append(last.varint != 0 ? "true" : "false");
			return;
		default:
			break;
		}
		std::string merged;
		const uint8_t *body = last.data, *body_end = last.data + last.size;
		if (run_count > 1) {
			merged = Concatenate(run_start, end, last.number);
			body = reinterpret_cast<const uint8_t *>(merged.data());
			body_end = body + merged.size();
		}
		if (depth + 1 >= static_cast<int>(scratch_.size())) {
			out_->append("null"); // unreachable after a successful scan with the same limits
			return;
		}
		if (last.number == kValueStruct)
			Struct(body, body_end, depth + 1);
		else
			List(body, body_end, depth + 1);
	}

	void List(const uint8_t *p, const uint8_t *end, int depth) {
		out_->push_back('[');
		bool first = true;
		ForEachField(p, end, [&](const WireField &f) {
			if (f.number != kListValues || f.type != WireType::kLen)
				return;
			if (!first)
				out_->push_back(',');
			first = false;
			Value(f.data, f.data + f.size, depth);
		});
		out_->push_back(']');
	}

	struct Scratch {
		std::vector<EntryRef> entries;
		std::vector<EntryRef *> sorted;
	};

	std::string *out_;
	const RenderOptions &options_;
	std::vector<Scratch> scratch_; // one per depth, reused across siblings
};

int EffectiveDepth(const Limits &limits) {
	return std::min(std::max(limits.max_depth, 1), kMaxDepthCap);
}

void AppendSyncOp(int32_t op, std::string *out) {
	static const char *const kNames[] = {"\"InvalidOp\"", "\"AddOp\"", "\"DeleteOp\"", "\"DefineOp\""};
	if (op >= 0 && op <= 3)
		out->append(kNames[op]);
	else
		out->append(std::to_string(op));
}

} // namespace

bool ParsePayloadKind(std::string_view text, PayloadKind *kind) {
	if (text == "measurement")
		*kind = PayloadKind::kMeasurement;
	else if (text == "sync")
		*kind = PayloadKind::kSync;
	else if (text == "define")
		*kind = PayloadKind::kDefine;
	else
		return false;
	return true;
}

ScanResult PayloadToJson(PayloadKind kind, const uint8_t *data, size_t size, const Limits &limits,
                         std::string *out, const RenderOptions &options) {
	const uint8_t *end = data + size;
	ScanResult result;
	switch (kind) {
	case PayloadKind::kMeasurement: {
		EnvelopeSummary summary;
		result = ScanMeasurementEnvelopeIn(ScanMode::kDecode, data, size, limits, &summary);
		if (!result.ok())
			return result;
		out->reserve(out->size() + size + size / 2 + 64);
		Renderer render(out, EffectiveDepth(limits), options);
		if (options.jsonfile_names) {
			out->append("{\"custom_tags\":");
			render.Tags(data, end);
			out->append(",\"data\":");
			render.Rows(data, end);
			out->append(",\"dbname\":");
			AppendJsonString(summary.dbname, out);
			out->append(",\"metric\":");
			AppendJsonString(summary.metric, out);
			out->push_back('}');
			return result;
		}
		out->append("{\"DBName\":");
		AppendJsonString(summary.dbname, out);
		out->append(",\"MetricName\":");
		AppendJsonString(summary.metric, out);
		out->append(",\"CustomTags\":");
		render.Tags(data, end);
		out->append(",\"Data\":");
		render.Rows(data, end);
		out->push_back('}');
		return result;
	}
	case PayloadKind::kSync: {
		SyncSummary summary;
		result = ScanSyncReqIn(ScanMode::kDecode, data, size, limits, &summary);
		if (!result.ok())
			return result;
		out->append("{\"DBName\":");
		AppendJsonString(summary.dbname, out);
		out->append(",\"MetricName\":");
		AppendJsonString(summary.metric, out);
		out->append(",\"Operation\":");
		AppendSyncOp(static_cast<int32_t>(summary.op), out);
		out->push_back('}');
		return result;
	}
	case PayloadKind::kDefine: {
		result = ScanStruct(data, size, limits);
		if (!result.ok())
			return result;
		out->reserve(out->size() + size + size / 2 + 16);
		Renderer render(out, EffectiveDepth(limits), options);
		render.Struct(data, end, 1);
		return result;
	}
	}
	return result;
}

} // namespace pgwatch_rpc::wire
