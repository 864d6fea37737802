// The field numbers of the messages the hub reads on the wire (proto/pgwatch.proto and
// google/protobuf/struct.proto), and the small helpers every reader of those bytes needs: the
// scanner, the JSON renderer and the sinks' row reader.
#pragma once
#include "core/core_only.hpp"
#include "core/wire/wire_reader.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace pgwatch_rpc::wire::fields {

// MeasurementEnvelope and SyncReq.
constexpr uint32_t kEnvDbName = 1, kEnvMetricName = 2, kEnvCustomTags = 3, kEnvData = 4;
constexpr uint32_t kSyncDbName = 1, kSyncMetricName = 2, kSyncOperation = 3;
// Struct, its map entries, ListValue.
constexpr uint32_t kStructFields = 1, kEntryKey = 1, kEntryValue = 2, kListValues = 1;
// Value's oneof.
constexpr uint32_t kValueNull = 1, kValueNumber = 2, kValueString = 3, kValueBool = 4, kValueStruct = 5,
                   kValueList = 6;

inline std::string_view View(const uint8_t *data, size_t size) {
	return {reinterpret_cast<const char *>(data), size};
}

// IsValueKind: does f set Value's oneof (right number and wire type)? Anything else is an
// unknown field, as libprotobuf treats it.
inline bool IsValueKind(const WireField &f) {
	switch (f.number) {
	case kValueNull:
	case kValueBool:
		return f.type == WireType::kVarint;
	case kValueNumber:
		return f.type == WireType::kFixed64;
	case kValueString:
	case kValueStruct:
	case kValueList:
		return f.type == WireType::kLen;
	default:
		return false;
	}
}

} // namespace pgwatch_rpc::wire::fields
