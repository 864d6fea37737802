// The response message of all three Receiver methods, `Reply { string logmsg = 1; }`,
// hand-encoded (no libprotobuf in the reply path) together with its 5-byte gRPC prefix.
#pragma once
#include "core/core_only.hpp"

#include <string>
#include <string_view>

namespace pgwatch_rpc::grpc {

// EncodeReply returns the protobuf bytes of Reply{logmsg}. proto3 omits the empty string,
// so "" encodes to zero bytes. Invalid UTF-8 in logmsg is replaced by U+FFFD: grpc-go
// refuses to parse a proto3 string that is not UTF-8, and pgwatch would log a decode error.
std::string EncodeReply(std::string_view logmsg);

// FrameMessage prefixes an uncompressed message with flag 0 and its big-endian length.
std::string FrameMessage(std::string_view message);

// EncodeReplyFrame is FrameMessage(EncodeReply(logmsg)): the DATA payload of a reply.
std::string EncodeReplyFrame(std::string_view logmsg);

} // namespace pgwatch_rpc::grpc
