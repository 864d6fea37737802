// FileStore: the file sink's directory, made durable. It appends batches to the active file,
// fdatasyncs them, records them in the state log (file_state.hpp), rotates files by size and
// time (fsyncing the directory), and deletes closed files past the retention.
//
// Exactly once in the files, across crashes: a batch's bytes are durable before its state
// line, and its state line before Append returns (and so before the delivery cursor moves).
// On Open, bytes after the recorded size belong to a batch that was never acknowledged and
// are cut off (it comes again), and the records of the last recorded batch are reported by
// LastBatch so that the sink skips them when a restarted delivery reads them again.
#pragma once
#include "core/core_only.hpp"
#include "sinks/file/file_io.hpp"
#include "sinks/file/file_kind.hpp"
#include "sinks/file/file_state.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pgwatch_rpc::sinks {

class FileStore {
public:
	// header: what every new file starts with (the CSV header line, or "").
	FileStore(std::string sink_name, FileSettings settings, std::string header);

	// Open locks the sink's directory against a second writer, loads the state log and
	// recovers the active file (see above), rotating it if the format changed or it is due.
	// Throws std::runtime_error, saying why, on any failure; the store then stays closed.
	void Open(int64_t now_s);
	bool IsOpen() const { return data_fd_.valid(); }

	// Close forgets everything held in memory and releases the lock; the next Open recovers
	// from the disk. Called after a failed Append, so a half-written batch is always cut off.
	void Close();

	// LastBatch: the spool records the last recorded batch covered.
	const std::vector<SeqRange> &LastBatch() const { return state_.active->last_batch; }

	// Append writes data (whole lines) as one batch covering `batch`, rotating first when
	// the active file is due, and returns once data and state are on disk. Throws
	// std::runtime_error; the caller must then Close.
	void Append(std::string_view data, const std::vector<SeqRange> &batch, int64_t now_s);

	// ActivePath: the file being written ("" while closed).
	std::string ActivePath() const;

private:
	std::string PathOf(const std::string &name) const { return settings_.path + "/" + name; }
	bool RotationDue(size_t next_bytes, int64_t now_s) const;
	std::string UniqueName(int64_t now_s) const;
	void ApplyRetention(int64_t now_s);
	void StartNewFile(int64_t now_s);
	void OpenActiveFile();

	std::string sink_name_;
	FileSettings settings_;
	std::string header_;
	std::string state_path_;
	std::string lock_path_;
	file_io::Fd lock_fd_;
	file_io::Fd state_fd_;
	file_io::Fd data_fd_;
	int64_t state_size_ = 0;
	FileState state_; // state_.active is set while open
};

} // namespace pgwatch_rpc::sinks
