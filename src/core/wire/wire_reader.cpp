// Words for the wire reader's error kinds, used in "error parsing request" messages.
#include "core/wire/wire_reader.hpp"

namespace pgwatch_rpc::wire {

const char *WireErrorText(WireError err) {
	switch (err) {
	case WireError::kNone:
		return "no error";
	case WireError::kTruncated:
		return "message ends in the middle of a field";
	case WireError::kVarintOverflow:
		return "varint longer than 64 bits";
	case WireError::kFieldZero:
		return "invalid field number 0";
	case WireError::kTagTooWide:
		return "field tag wider than 32 bits";
	case WireError::kGroup:
		return "groups (wire types 3 and 4) are not supported";
	case WireError::kBadWireType:
		return "invalid wire type";
	case WireError::kLengthTooLong:
		return "length-delimited field longer than its enclosing message";
	}
	return "unknown wire error";
}

} // namespace pgwatch_rpc::wire
