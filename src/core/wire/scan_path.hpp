// Where in a message the scanner is, for error messages such as
// "Data[3].query: string contains a NUL byte". The path is a chain of nodes living on the
// scanner's call stack: building it costs nothing, only a failure formats it.
#pragma once
#include "core/core_only.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace pgwatch_rpc::wire {

struct PathNode {
	enum class Kind { kField, kIndex, kKey };
	const PathNode *parent = nullptr;
	Kind kind = Kind::kField;
	std::string_view name; // kField: the protobuf field name; kKey: the map/Struct key
	size_t index = 0;      // kIndex
};

// FormatPath renders the chain ending at leaf: fields and identifier-like keys joined with
// dots, indexes as [3], other keys as ["quoted and escaped"]. nullptr gives "".
std::string FormatPath(const PathNode *leaf);

} // namespace pgwatch_rpc::wire
