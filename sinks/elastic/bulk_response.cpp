// Bulk API responses (bulk_response.hpp).
#include "sinks/elastic/bulk_response.hpp"

#include "core/wire/utf8.hpp"

#include <nlohmann/json.hpp>

namespace pgwatch_rpc::sinks {
namespace {

constexpr size_t kMaxErrorBytes = 400;

// DescribeError: "type: reason" of an item's error object, then its caused_by chain.
std::string DescribeError(const nlohmann::json &error) {
	std::string text;
	const nlohmann::json *e = &error;
	for (int depth = 0; depth < 3 && e->is_object(); depth++) {
		auto type = e->find("type");
		auto reason = e->find("reason");
		if (!text.empty())
			text += ", caused by ";
		text += type != e->end() && type->is_string() ? type->get<std::string>() : "error";
		if (reason != e->end() && reason->is_string())
			text += ": " + reason->get<std::string>();
		auto cause = e->find("caused_by");
		if (cause == e->end())
			break;
		e = &*cause;
	}
	if (text.empty())
		text = error.dump();
	if (text.size() > kMaxErrorBytes) {
		text.resize(wire::Utf8PrefixLength(text, kMaxErrorBytes));
		text += "…";
	}
	return text;
}

} // namespace

bool ParseBulkResponse(std::string_view body, size_t expected, bool *all_ok,
                       std::vector<BulkItemResult> *items, std::string *problem) {
	items->clear();
	nlohmann::json response = nlohmann::json::parse(body, nullptr, false);
	auto errors = response.is_object() ? response.find("errors") : response.end();
	if (!response.is_object() || errors == response.end() || !errors->is_boolean()) {
		*problem = "the answer is not a Bulk API response (no \"errors\" member)";
		return false;
	}
	*all_ok = !errors->get<bool>();
	if (*all_ok)
		return true;
	auto list = response.find("items");
	if (list == response.end() || !list->is_array() || list->size() != expected) {
		*problem = "the Bulk API response does not list one item per document sent (" +
		           std::to_string(expected) + ")";
		return false;
	}
	for (const nlohmann::json &entry : *list) {
		// {"create": {"status": 201, ...}}: one member named after the action.
		BulkItemResult item;
		if (entry.is_object() && entry.size() == 1 && entry.begin()->is_object()) {
			const nlohmann::json &result = *entry.begin();
			auto status = result.find("status");
			if (status != result.end() && status->is_number_integer())
				item.status = status->get<long>();
			auto error = result.find("error");
			if (error != result.end())
				item.error = DescribeError(*error);
		}
		if (item.status == 0) {
			*problem = "a Bulk API response item has no status";
			return false;
		}
		items->push_back(std::move(item));
	}
	return true;
}

} // namespace pgwatch_rpc::sinks
