// gRPC metadata values (GRPC.md §7): which request headers are metadata, clean ASCII
// values, and base64 for binary ("-bin") keys. Invalid but HTTP-legal values must never
// fail a call: the caller drops them.
#pragma once
#include "core/core_only.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace pgwatch_rpc::grpc {

// IsBinaryKey: the key ends in "-bin", so its values are base64.
bool IsBinaryKey(std::string_view key);

// IsMetadataKey: a (lowercase) request header that is application metadata, i.e. not a
// pseudo-header, not a transport header (content-type, te, user-agent, accept-encoding)
// and not reserved (grpc-*).
bool IsMetadataKey(std::string_view key);

// SanitizeAsciiValue trims leading and trailing spaces and tabs; returns false (drop the
// value) if what remains has a byte outside printable ASCII 0x20..0x7E. *out points into
// value. An empty value is valid (pgwatch sends an empty password without user info).
bool SanitizeAsciiValue(std::string_view value, std::string_view *out);

// DecodeBinaryValue splits a -bin value on ',' (several values may arrive joined), trims
// spaces around each part and decodes it as standard base64, padded or unpadded,
// appending one entry per part to *out. Returns false (and appends nothing) if any part
// is not base64.
bool DecodeBinaryValue(std::string_view value, std::vector<std::string> *out);

// EncodeBinaryValue is padded standard base64, for sending -bin metadata.
std::string EncodeBinaryValue(std::string_view bytes);

} // namespace pgwatch_rpc::grpc
