// HEC answers (hec_reply.hpp).
#include "sinks/splunk/hec_reply.hpp"

#include <nlohmann/json.hpp>

#include <charconv>

namespace pgwatch_rpc::sinks {
namespace {

int64_t IntegerMember(const nlohmann::json &object, const char *name) {
	auto it = object.find(name);
	return it != object.end() && it->is_number_integer() && it->get<int64_t>() >= 0 ? it->get<int64_t>() : -1;
}

} // namespace

HecReply ParseHecReply(std::string_view body) {
	HecReply reply;
	nlohmann::json json = nlohmann::json::parse(body, nullptr, false);
	if (!json.is_object())
		return reply;
	reply.code = IntegerMember(json, "code");
	reply.ack_id = IntegerMember(json, "ackId");
	reply.invalid_event = IntegerMember(json, "invalid-event-number");
	if (auto text = json.find("text"); text != json.end() && text->is_string())
		reply.text = text->get<std::string>();
	return reply;
}

std::string AckRequestBody(const std::vector<int64_t> &ack_ids) {
	std::string body = "{\"acks\":[";
	for (size_t i = 0; i < ack_ids.size(); i++)
		body += (i > 0 ? "," : "") + std::to_string(ack_ids[i]);
	return body + "]}";
}

bool ParseAckReply(std::string_view body, std::vector<std::pair<int64_t, bool>> *acks) {
	acks->clear();
	nlohmann::json json = nlohmann::json::parse(body, nullptr, false);
	auto list = json.is_object() ? json.find("acks") : json.end();
	if (list == json.end() || !list->is_object())
		return false;
	for (auto it = list->begin(); it != list->end(); ++it) {
		int64_t id = -1;
		const std::string &key = it.key();
		auto res = std::from_chars(key.data(), key.data() + key.size(), id);
		if (res.ec != std::errc() || res.ptr != key.data() + key.size() || id < 0 || !it->is_boolean())
			return false;
		acks->emplace_back(id, it->get<bool>());
	}
	return true;
}

} // namespace pgwatch_rpc::sinks
