// The file sink's state log, `.<sink>.state` in its directory: which file is being written,
// how many of its bytes hold acknowledged batches, which spool records the last batch
// covered, and the closed files retention manages. One JSON object per line:
//
//   {"closed":[["pg-20261123T000000Z.jsonl",1795478400],…]}           first line
//   {"active":"pg-20261124T000000Z.jsonl","format":"jsonl","opened_at":1795478400,
//    "size":0,"batch":[[1,4001,4100]]}                                  a new file
//   {"size":52311,"batch":[[1,4101,4180]]}                              one per batch
//
// A batch's line is appended (and fdatasync'd) after its rows are, so the log never claims
// bytes the data file may not hold; a torn last line is ignored. The log is rewritten (temp
// file, rename) when a file is rotated, so it stays small.
#pragma once
#include "core/core_only.hpp"
#include "sinks/file/file_kind.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgwatch_rpc::sinks {

struct ClosedFile {
	std::string name;
	int64_t closed_at_s = 0;
};

// SeqRange: the spool records [first, last] of one listener in a batch.
struct SeqRange {
	int32_t listener_id = 0;
	int64_t first = 0;
	int64_t last = 0;
};

struct ActiveFile {
	std::string name;
	FileFormat format = FileFormat::kJsonLines;
	int64_t opened_at_s = 0;
	int64_t size = 0;                 // bytes holding acknowledged batches
	std::vector<SeqRange> last_batch; // the spool records of the last batch written
};

struct FileState {
	std::vector<ClosedFile> closed; // oldest first
	std::optional<ActiveFile> active;
};

// ParseStateLog reads a state log. *valid_bytes is the length of the leading complete lines
// that parse; anything after (a torn append) is to be cut off. A log whose first line is not
// a "closed" line gives an empty state and *valid_bytes 0.
FileState ParseStateLog(std::string_view text, size_t *valid_bytes);

// StateLogText: the whole log for a state (its first two lines), as written at rotation.
std::string StateLogText(const FileState &state);

// BatchLine: the line appended after a batch.
std::string BatchLine(int64_t size, const std::vector<SeqRange> &batch);

} // namespace pgwatch_rpc::sinks
