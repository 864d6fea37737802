// Reading HEC answers (SINKS.md §3.2, §3.4): {"text":"Success","code":0,"ackId":7} for a
// request, {"text":"Invalid data format","code":6,"invalid-event-number":2} for a refusal, and
// {"acks":{"7":true,"8":false}} for an acknowledgement poll.
#pragma once
#include "core/core_only.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pgwatch_rpc::sinks {

// HEC status codes the sink acts on (the body's "code", not the HTTP status).
constexpr int64_t kHecInvalidDataFormat = 6;
constexpr int64_t kHecAckDisabled = 14;

struct HecReply {
	int64_t code = -1; // -1: the body had none (not a HEC answer)
	std::string text;
	int64_t ack_id = -1;        // -1: none (acknowledgement is off for the token)
	int64_t invalid_event = -1; // 0-based index of the first bad event of the request; -1: none
};

// ParseHecReply reads what it can; members it does not find keep their defaults.
HecReply ParseHecReply(std::string_view body);

// AckRequestBody: {"acks":[5,6,7]}.
std::string AckRequestBody(const std::vector<int64_t> &ack_ids);

// ParseAckReply reads {"acks":{"5":true,…}} into (id, acknowledged) pairs; false if the body
// has another shape.
bool ParseAckReply(std::string_view body, std::vector<std::pair<int64_t, bool>> *acks);

} // namespace pgwatch_rpc::sinks
