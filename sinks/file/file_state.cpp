// The file sink's state log format (see file_state.hpp).
#include "sinks/file/file_state.hpp"

#include <nlohmann/json.hpp>

namespace pgwatch_rpc::sinks {
namespace {

using nlohmann::json;

json RangesJson(const std::vector<SeqRange> &ranges) {
	json out = json::array();
	for (const SeqRange &r : ranges)
		out.push_back({r.listener_id, r.first, r.last});
	return out;
}

bool ReadRanges(const json &value, std::vector<SeqRange> *out) {
	if (!value.is_array())
		return false;
	out->clear();
	for (const json &item : value) {
		if (!item.is_array() || item.size() != 3 || !item[0].is_number_integer() ||
		    !item[1].is_number_integer() || !item[2].is_number_integer())
			return false;
		out->push_back({item[0].get<int32_t>(), item[1].get<int64_t>(), item[2].get<int64_t>()});
	}
	return true;
}

bool ReadClosed(const json &line, std::vector<ClosedFile> *out) {
	const json *closed =
	    line.is_object() && line.size() == 1 && line.contains("closed") ? &line["closed"] : nullptr;
	if (closed == nullptr || !closed->is_array())
		return false;
	for (const json &item : *closed) {
		if (!item.is_array() || item.size() != 2 || !item[0].is_string() || !item[1].is_number_integer())
			return false;
		out->push_back({item[0].get<std::string>(), item[1].get<int64_t>()});
	}
	return true;
}

// ReadActive reads a "new file" line.
bool ReadActive(const json &line, ActiveFile *out) {
	if (!line.contains("active") || !line["active"].is_string() || !line.contains("format") ||
	    !line.contains("opened_at") || !line["opened_at"].is_number_integer())
		return false;
	const json &format = line["format"];
	if (!format.is_string() || !ParseFormatName(format.get<std::string>(), &out->format))
		return false;
	out->name = line["active"].get<std::string>();
	out->opened_at_s = line["opened_at"].get<int64_t>();
	return true;
}

// ReadProgress reads the size and batch members every line after the first has.
bool ReadProgress(const json &line, ActiveFile *out) {
	if (!line.contains("size") || !line["size"].is_number_integer() || line["size"].get<int64_t>() < 0 ||
	    !line.contains("batch"))
		return false;
	out->size = line["size"].get<int64_t>();
	return ReadRanges(line["batch"], &out->last_batch);
}

} // namespace

FileState ParseStateLog(std::string_view text, size_t *valid_bytes) {
	FileState state;
	*valid_bytes = 0;
	size_t pos = 0;
	bool first = true;
	while (pos < text.size()) {
		size_t end = text.find('\n', pos);
		if (end == std::string_view::npos)
			break; // a torn append
		json line = json::parse(text.substr(pos, end - pos), nullptr, false);
		if (first) {
			if (!ReadClosed(line, &state.closed))
				return FileState{};
			first = false;
		} else {
			if (!line.is_object())
				break;
			ActiveFile next = state.active.value_or(ActiveFile{});
			bool is_new_file = line.contains("active");
			if ((is_new_file && !ReadActive(line, &next)) || (!is_new_file && !state.active) ||
			    !ReadProgress(line, &next))
				break;
			state.active = std::move(next);
		}
		pos = end + 1;
		*valid_bytes = pos;
	}
	return state;
}

std::string StateLogText(const FileState &state) {
	json closed = json::array();
	for (const ClosedFile &c : state.closed)
		closed.push_back({c.name, c.closed_at_s});
	std::string text = json{{"closed", closed}}.dump() + "\n";
	if (state.active) {
		const ActiveFile &a = *state.active;
		json line = {{"active", a.name},
		             {"format", std::string(FormatName(a.format))},
		             {"opened_at", a.opened_at_s},
		             {"size", a.size},
		             {"batch", RangesJson(a.last_batch)}};
		text += line.dump() + "\n";
	}
	return text;
}

std::string BatchLine(int64_t size, const std::vector<SeqRange> &batch) {
	return json{{"size", size}, {"batch", RangesJson(batch)}}.dump() + "\n";
}

} // namespace pgwatch_rpc::sinks
