// Reply encoding and gRPC message framing for responses (see reply.hpp).
#include "core/grpc/reply.hpp"

#include "core/wire/utf8.hpp"

#include <cstdint>

namespace pgwatch_rpc::grpc {

namespace {

void AppendVarint(uint64_t v, std::string *out) {
	while (v >= 0x80) {
		out->push_back(static_cast<char>((v & 0x7F) | 0x80));
		v >>= 7;
	}
	out->push_back(static_cast<char>(v));
}

} // namespace

std::string EncodeReply(std::string_view logmsg) {
	std::string out;
	if (logmsg.empty())
		return out;
	std::string text;
	wire::AppendUtf8Sanitized(logmsg, &text);
	out.reserve(text.size() + 11);
	out.push_back(static_cast<char>((1 << 3) | 2)); // field 1, length-delimited
	AppendVarint(text.size(), &out);
	out.append(text);
	return out;
}

std::string FrameMessage(std::string_view message) {
	std::string out;
	out.reserve(message.size() + 5);
	auto len = static_cast<uint32_t>(message.size());
	out.push_back('\0');
	out.push_back(static_cast<char>(len >> 24));
	out.push_back(static_cast<char>(len >> 16));
	out.push_back(static_cast<char>(len >> 8));
	out.push_back(static_cast<char>(len));
	out.append(message);
	return out;
}

std::string EncodeReplyFrame(std::string_view logmsg) {
	return FrameMessage(EncodeReply(logmsg));
}

} // namespace pgwatch_rpc::grpc
