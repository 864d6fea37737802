// Bounds-checked reading of protobuf wire format (tags, varints, the four wire types we
// accept). Inline because it is the innermost loop of the scanner and the JSON renderer.
// Refuses what no proto3 encoder emits for our messages: groups (wire types 3/4), field
// number 0, tags above 32 bits, varints longer than 10 bytes or wider than 64 bits, and
// lengths beyond the enclosing message.
#pragma once
#include "core/core_only.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace pgwatch_rpc::wire {

enum class WireType : uint8_t { kVarint = 0, kFixed64 = 1, kLen = 2, kFixed32 = 5 };

enum class WireError : uint8_t {
	kNone,
	kTruncated,      // the bytes end inside a tag, a varint, a fixed field or a length
	kVarintOverflow, // more than 10 bytes, or a 10th byte above 1
	kFieldZero,      // field number 0
	kTagTooWide,     // a tag that does not fit 32 bits
	kGroup,          // wire type 3/4: groups are not used by any of our messages
	kBadWireType,    // wire type 6/7
	kLengthTooLong,  // a length-delimited field larger than what is left of its message
};

// One field as read from the wire. For kLen, data/size are the payload; for the fixed
// types data points at the little-endian bytes; for kVarint, varint holds the value.
struct WireField {
	uint32_t number = 0;
	WireType type = WireType::kVarint;
	uint64_t varint = 0;
	const uint8_t *data = nullptr;
	size_t size = 0;
	const uint8_t *start = nullptr; // the first byte of the tag
};

// Forced inline: the scanner calls these once per field and GCC otherwise keeps ReadField
// out of line (measured: a third of the scan time went to the call).
#define PGWATCH_RPC_ALWAYS_INLINE inline __attribute__((always_inline))

// ReadVarint reads a varint at *p (< end), advancing *p. Returns kNone on success.
PGWATCH_RPC_ALWAYS_INLINE WireError ReadVarint(const uint8_t **p, const uint8_t *end, uint64_t *value) {
	const uint8_t *q = *p;
	if (q < end && *q < 0x80) {
		*value = *q;
		*p = q + 1;
		return WireError::kNone;
	}
	uint64_t result = 0;
	for (int i = 0; i < 10; i++) {
		if (q >= end)
			return WireError::kTruncated;
		uint8_t byte = *q++;
		if (i == 9 && byte > 1)
			return WireError::kVarintOverflow;
		result |= static_cast<uint64_t>(byte & 0x7F) << (7 * i);
		if (byte < 0x80) {
			*value = result;
			*p = q;
			return WireError::kNone;
		}
	}
	return WireError::kVarintOverflow;
}

// ReadField reads the next field at *p (< end) into *field and advances *p past it.
PGWATCH_RPC_ALWAYS_INLINE WireError ReadField(const uint8_t **p, const uint8_t *end, WireField *field) {
	field->start = *p;
	uint64_t tag;
	WireError err = ReadVarint(p, end, &tag);
	if (err != WireError::kNone)
		return err;
	if (tag > 0xFFFFFFFFULL)
		return WireError::kTagTooWide;
	if ((tag >> 3) == 0)
		return WireError::kFieldZero;
	field->number = static_cast<uint32_t>(tag >> 3);
	switch (tag & 7) {
	case 0:
		field->type = WireType::kVarint;
		return ReadVarint(p, end, &field->varint);
	case 1:
		field->type = WireType::kFixed64;
		if (end - *p < 8)
			return WireError::kTruncated;
		field->data = *p;
		field->size = 8;
		*p += 8;
		return WireError::kNone;
	case 2: {
		field->type = WireType::kLen;
		uint64_t len;
		err = ReadVarint(p, end, &len);
		if (err != WireError::kNone)
			return err;
		if (len > static_cast<uint64_t>(end - *p))
			return WireError::kLengthTooLong;
		field->data = *p;
		field->size = static_cast<size_t>(len);
		*p += len;
		return WireError::kNone;
	}
	case 5:
		field->type = WireType::kFixed32;
		if (end - *p < 4)
			return WireError::kTruncated;
		field->data = *p;
		field->size = 4;
		*p += 4;
		return WireError::kNone;
	case 3:
	case 4:
		return WireError::kGroup;
	default:
		return WireError::kBadWireType;
	}
}

// LoadDouble decodes a fixed64 field's bytes as an IEEE double (wire format is little-endian).
inline double LoadDouble(const uint8_t *data) {
	uint64_t bits = 0;
	for (int i = 7; i >= 0; i--)
		bits = (bits << 8) | data[i];
	double value;
	std::memcpy(&value, &bits, sizeof value);
	return value;
}

// WireErrorText says in words what kind of damage ReadField found.
const char *WireErrorText(WireError err);

} // namespace pgwatch_rpc::wire
