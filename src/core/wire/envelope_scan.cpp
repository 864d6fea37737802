// The bounded single pass over request bytes (see envelope_scan.hpp). Allocation-free on
// success: strings are checked in place, paths for messages live on the call stack, and
// std::string is only built when a request is refused.
//
// Field semantics follow libprotobuf for proto3: a known field number with an unexpected
// wire type is an unknown field and skipped; a repeated singular field keeps the last
// value; every occurrence of a string is checked (libprotobuf rejects invalid UTF-8 in any
// occurrence, and so do we). Deliberately stricter than libprotobuf: groups, 10-byte
// varints wider than 64 bits, NUL in strings, and our limits.
#include "core/wire/envelope_scan.hpp"

#include "core/wire/message_text.hpp"
#include "core/wire/proto_fields.hpp"
#include "core/wire/scan_mode.hpp"
#include "core/wire/scan_path.hpp"
#include "core/wire/utf8.hpp"
#include "core/wire/wire_reader.hpp"

#include <algorithm>

namespace pgwatch_rpc::wire {

namespace {

using namespace fields;

class Scanner {
public:
	Scanner(const uint8_t *base, const Limits &limits)
	    : base_(base), limits_(limits), max_depth_(std::min(std::max(limits.max_depth, 1), kMaxDepthCap)) {}

	ScanResult &result() { return result_; }

	bool Malformed(WireError err, const uint8_t *at, const PathNode *path) {
		std::string where = FormatPath(path);
		result_.status = ScanStatus::kMalformed;
		result_.message = "error parsing request: ";
		if (!where.empty())
			result_.message += where + ": ";
		result_.message += WireErrorText(err);
		result_.message += " (at byte " + std::to_string(at - base_) + ")";
		return false;
	}

	bool Invalid(const PathNode *path, const std::string &what) {
		std::string where = FormatPath(path);
		result_.status = ScanStatus::kInvalid;
		result_.message = where.empty() ? what : where + ": " + what;
		return false;
	}

	// Text checks one string occurrence; is_key words the message as "key ..." not "string".
	PGWATCH_RPC_ALWAYS_INLINE bool Text(const WireField &f, const PathNode *path, size_t max_bytes,
	                                    bool is_key) {
		size_t bad = 0;
		if (f.size <= max_bytes && CheckText(f.data, f.size, &bad) == TextCheck::kOk)
			return true;
		return TextFailure(f, path, max_bytes, is_key);
	}

	bool TextFailure(const WireField &f, const PathNode *path, size_t max_bytes, bool is_key) {
		size_t bad = 0;
		if (f.size > max_bytes)
			return Invalid(path, Subject(f, is_key) + " of " + std::to_string(f.size) +
			                         " bytes exceeds the limit of " + std::to_string(max_bytes) + " bytes");
		switch (CheckText(f.data, f.size, &bad)) {
		case TextCheck::kOk:
			return true;
		case TextCheck::kNul:
			return Invalid(path, Subject(f, is_key) + " contains a NUL byte (at byte " + std::to_string(bad) +
			                         "), which PostgreSQL cannot store");
		case TextCheck::kInvalidUtf8:
			return Invalid(path,
			               Subject(f, is_key) + " is not valid UTF-8 (at byte " + std::to_string(bad) + ")");
		}
		return true;
	}

	bool TooDeep(const PathNode *path) {
		return Invalid(path, "value nested deeper than " + std::to_string(max_depth_) +
		                         " levels of Struct/ListValue; flatten it or raise the server's depth limit");
	}

	// Struct scans a google.protobuf.Struct at nesting level depth (a row is 1).
	bool Struct(const uint8_t *p, const uint8_t *end, const PathNode *path, int depth) {
		if (depth > max_depth_)
			return TooDeep(path);
		size_t entries = 0;
		WireField f;
		while (p < end) {
			WireError err = ReadField(&p, end, &f);
			if (err != WireError::kNone)
				return Malformed(err, f.start, path);
			if (f.number != kStructFields || f.type != WireType::kLen)
				continue;
			if (++entries > limits_.max_fields_per_struct)
				return Invalid(path, "more than " + std::to_string(limits_.max_fields_per_struct) +
				                         " keys in one Struct");
			if (!Entry(f.data, f.data + f.size, path, depth))
				return false;
		}
		return true;
	}

	// Entry scans one Struct.fields map entry. Errors in the value name its key; encoders
	// write the key first, so one pass suffices; a value before any key costs a pre-pass.
	bool Entry(const uint8_t *p, const uint8_t *end, const PathNode *parent, int depth) {
		PathNode node{parent, PathNode::Kind::kKey, {}, 0};
		bool have_key = false;
		WireField f;
		while (p < end) {
			WireError err = ReadField(&p, end, &f);
			if (err != WireError::kNone)
				return Malformed(err, f.start, parent);
			if (f.type != WireType::kLen)
				continue;
			if (f.number == kEntryKey) {
				if (!Text(f, parent, limits_.max_string_bytes, true))
					return false;
				node.name = View(f);
				have_key = true;
			} else if (f.number == kEntryValue) {
				if (!have_key) {
					if (!FindKey(p, end, parent, &node.name))
						return false;
					have_key = true;
				}
				if (!Value(f.data, f.data + f.size, &node, depth))
					return false;
			}
		}
		return true;
	}

	// FindKey validates the keys in [p, end) and sets *key to the last one ("" if none).
	bool FindKey(const uint8_t *p, const uint8_t *end, const PathNode *parent, std::string_view *key) {
		WireField f;
		while (p < end) {
			WireError err = ReadField(&p, end, &f);
			if (err != WireError::kNone)
				return Malformed(err, f.start, parent);
			if (f.number == kEntryKey && f.type == WireType::kLen) {
				if (!Text(f, parent, limits_.max_string_bytes, true))
					return false;
				*key = View(f);
			}
		}
		return true;
	}

	bool Value(const uint8_t *p, const uint8_t *end, const PathNode *path, int depth) {
		WireField f;
		while (p < end) {
			WireError err = ReadField(&p, end, &f);
			if (err != WireError::kNone)
				return Malformed(err, f.start, path);
			if (f.type != WireType::kLen)
				continue; // null/number/bool need no checks; other wire types are unknown fields
			bool ok = true;
			if (f.number == kValueString)
				ok = Text(f, path, limits_.max_string_bytes, false);
			else if (f.number == kValueStruct)
				ok = Struct(f.data, f.data + f.size, path, depth + 1);
			else if (f.number == kValueList)
				ok = List(f.data, f.data + f.size, path, depth + 1);
			if (!ok)
				return false;
		}
		return true;
	}

	bool List(const uint8_t *p, const uint8_t *end, const PathNode *path, int depth) {
		if (depth > max_depth_)
			return TooDeep(path);
		size_t index = 0;
		WireField f;
		while (p < end) {
			WireError err = ReadField(&p, end, &f);
			if (err != WireError::kNone)
				return Malformed(err, f.start, path);
			if (f.number != kListValues || f.type != WireType::kLen)
				continue;
			PathNode node{path, PathNode::Kind::kIndex, {}, index++};
			if (!Value(f.data, f.data + f.size, &node, depth))
				return false;
		}
		return true;
	}

	// Tag scans one CustomTags entry (map<string, string>).
	bool Tag(const uint8_t *p, const uint8_t *end, const PathNode *parent) {
		std::string_view key;
		WireField f;
		for (const uint8_t *q = p; q < end;) {
			WireError err = ReadField(&q, end, &f);
			if (err != WireError::kNone)
				return Malformed(err, f.start, parent);
			if (f.number == kEntryKey && f.type == WireType::kLen) {
				if (!Text(f, parent, limits_.max_name_bytes, true))
					return false;
				key = View(f);
			}
		}
		PathNode node{parent, PathNode::Kind::kKey, key, 0};
		while (p < end) {
			ReadField(&p, end, &f);
			if (f.number == kEntryValue && f.type == WireType::kLen &&
			    !Text(f, &node, limits_.max_string_bytes, false))
				return false;
		}
		return true;
	}

	static std::string_view View(const WireField &f) {
		return {reinterpret_cast<const char *>(f.data), f.size};
	}

private:
	static std::string Subject(const WireField &f, bool is_key) {
		return is_key ? "key " + Quoted(View(f)) : std::string("string");
	}

	const uint8_t *base_;
	const Limits &limits_;
	int max_depth_;
	ScanResult result_;
};

} // namespace

ScanResult ScanMeasurementEnvelopeIn(ScanMode mode, const uint8_t *data, size_t size, const Limits &limits,
                                     EnvelopeSummary *out) {
	Scanner scan(data, limits);
	const uint8_t *p = data, *end = data + size;
	std::string_view dbname, metric;
	size_t nrows = 0, ntags = 0;
	static const PathNode kDbNamePath{nullptr, PathNode::Kind::kField, "DBName", 0};
	static const PathNode kMetricPath{nullptr, PathNode::Kind::kField, "MetricName", 0};
	static const PathNode kTagsPath{nullptr, PathNode::Kind::kField, "CustomTags", 0};
	static const PathNode kDataPath{nullptr, PathNode::Kind::kField, "Data", 0};
	WireField f;
	while (p < end) {
		WireError err = ReadField(&p, end, &f);
		if (err != WireError::kNone) {
			scan.Malformed(err, f.start, nullptr);
			return scan.result();
		}
		if (f.type != WireType::kLen)
			continue;
		bool ok = true;
		switch (f.number) {
		case kEnvDbName:
			ok = scan.Text(f, &kDbNamePath, limits.max_string_bytes, false);
			dbname = Scanner::View(f);
			break;
		case kEnvMetricName:
			ok = scan.Text(f, &kMetricPath, limits.max_string_bytes, false);
			metric = Scanner::View(f);
			break;
		case kEnvCustomTags:
			if (++ntags > limits.max_fields_per_struct)
				ok = scan.Invalid(&kTagsPath,
				                  "more than " + std::to_string(limits.max_fields_per_struct) + " tags");
			else
				ok = scan.Tag(f.data, f.data + f.size, &kTagsPath);
			break;
		case kEnvData: {
			if (++nrows > limits.max_rows) {
				ok = scan.Invalid(nullptr,
				                  "envelope has more than " + std::to_string(limits.max_rows) +
				                      " rows in Data, the server's limit; raise the limit on the server");
				break;
			}
			PathNode row{&kDataPath, PathNode::Kind::kIndex, {}, nrows - 1};
			ok = scan.Struct(f.data, f.data + f.size, &row, 1);
			break;
		}
		default:
			break;
		}
		if (!ok)
			return scan.result();
	}
	if (mode == ScanMode::kIngest) {
		ScanResult rule = ValidateSourceName(dbname, limits.max_name_bytes);
		if (!rule.ok())
			return rule;
		rule = ValidateMetricName(metric, limits.max_name_bytes);
		if (!rule.ok())
			return rule;
	}
	if (out != nullptr) {
		out->dbname = dbname;
		out->metric = metric;
		out->nrows = static_cast<uint32_t>(nrows);
	}
	return scan.result();
}

ScanResult ScanMeasurementEnvelope(const uint8_t *data, size_t size, const Limits &limits,
                                   EnvelopeSummary *out) {
	return ScanMeasurementEnvelopeIn(ScanMode::kIngest, data, size, limits, out);
}

ScanResult ScanSyncReqIn(ScanMode mode, const uint8_t *data, size_t size, const Limits &limits,
                         SyncSummary *out) {
	Scanner scan(data, limits);
	const uint8_t *p = data, *end = data + size;
	std::string_view dbname, metric;
	int32_t op = 0;
	static const PathNode kDbNamePath{nullptr, PathNode::Kind::kField, "DBName", 0};
	static const PathNode kMetricPath{nullptr, PathNode::Kind::kField, "MetricName", 0};
	WireField f;
	while (p < end) {
		WireError err = ReadField(&p, end, &f);
		if (err != WireError::kNone) {
			scan.Malformed(err, f.start, nullptr);
			return scan.result();
		}
		bool ok = true;
		if (f.number == kSyncDbName && f.type == WireType::kLen) {
			ok = scan.Text(f, &kDbNamePath, limits.max_string_bytes, false);
			dbname = Scanner::View(f);
		} else if (f.number == kSyncMetricName && f.type == WireType::kLen) {
			ok = scan.Text(f, &kMetricPath, limits.max_string_bytes, false);
			metric = Scanner::View(f);
		} else if (f.number == kSyncOperation && f.type == WireType::kVarint) {
			op = static_cast<int32_t>(static_cast<uint32_t>(f.varint)); // proto3 enums are int32 on the wire
		}
		if (!ok)
			return scan.result();
	}
	if (mode == ScanMode::kIngest) {
		if (op < 0 || op > static_cast<int32_t>(SyncOp::kDefine))
			return ScanResult{
			    ScanStatus::kInvalid,
			    "Operation " + std::to_string(op) +
			        " is not a SyncOp this server knows (InvalidOp=0, AddOp=1, DeleteOp=2, DefineOp=3)"};
		bool needs_source =
		    op == static_cast<int32_t>(SyncOp::kAdd) || op == static_cast<int32_t>(SyncOp::kDelete);
		if (needs_source || !dbname.empty()) {
			ScanResult rule = ValidateSourceName(dbname, limits.max_name_bytes);
			if (!rule.ok())
				return rule;
		}
		if (!metric.empty()) {
			ScanResult rule = ValidateMetricName(metric, limits.max_name_bytes);
			if (!rule.ok())
				return rule;
		}
	}
	if (out != nullptr) {
		out->dbname = dbname;
		out->metric = metric;
		out->op = static_cast<SyncOp>(op);
	}
	return scan.result();
}

ScanResult ScanSyncReq(const uint8_t *data, size_t size, const Limits &limits, SyncSummary *out) {
	return ScanSyncReqIn(ScanMode::kIngest, data, size, limits, out);
}

ScanResult ScanStruct(const uint8_t *data, size_t size, const Limits &limits) {
	Scanner scan(data, limits);
	scan.Struct(data, data + size, nullptr, 1);
	return scan.result();
}

} // namespace pgwatch_rpc::wire
