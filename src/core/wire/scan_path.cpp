// Formatting of scanner paths (see scan_path.hpp); runs only when a message is refused.
#include "core/wire/scan_path.hpp"

#include "core/wire/message_text.hpp"

namespace pgwatch_rpc::wire {

namespace {

bool IsIdentifierLike(std::string_view key) {
	if (key.empty() || key.size() > kQuoteMaxChars)
		return false;
	for (char c : key) {
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
		if (!ok)
			return false;
	}
	return true;
}

void AppendNode(const PathNode *node, std::string *out) {
	if (node->parent != nullptr)
		AppendNode(node->parent, out);
	switch (node->kind) {
	case PathNode::Kind::kIndex:
		out->push_back('[');
		out->append(std::to_string(node->index));
		out->push_back(']');
		break;
	case PathNode::Kind::kField:
	case PathNode::Kind::kKey:
		if (node->kind == PathNode::Kind::kKey && !IsIdentifierLike(node->name)) {
			out->push_back('[');
			AppendQuoted(node->name, out);
			out->push_back(']');
		} else {
			if (!out->empty())
				out->push_back('.');
			out->append(node->name);
		}
		break;
	}
}

} // namespace

std::string FormatPath(const PathNode *leaf) {
	std::string out;
	if (leaf != nullptr)
		AppendNode(leaf, &out);
	return out;
}

} // namespace pgwatch_rpc::wire
