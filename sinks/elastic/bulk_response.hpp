// Reading a Bulk API response (SINKS.md §2.3): HTTP 200 even when documents failed;
// "errors": true then says to walk items[i].<action>.status, in request order.
#pragma once
#include "core/core_only.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace pgwatch_rpc::sinks {

struct BulkItemResult {
	long status = 0;
	std::string error; // for a failed item: "<type>: <reason>" (and what caused it), bounded
};

// ParseBulkResponse reads a response to a request of `expected` documents. *all_ok is set
// when "errors" is false (items are then not read). Otherwise *items gets one result per
// document. False, with *problem, for a body that is not such a response (not JSON, no
// "errors", an items list of another length).
bool ParseBulkResponse(std::string_view body, size_t expected, bool *all_ok,
                       std::vector<BulkItemResult> *items, std::string *problem);

} // namespace pgwatch_rpc::sinks
