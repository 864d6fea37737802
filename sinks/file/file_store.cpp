// The file sink's durable directory (see file_store.hpp).
#include "sinks/file/file_store.hpp"

#include "core/log/log.hpp"

#include <fcntl.h>

#include <stdexcept>

namespace pgwatch_rpc::sinks {
namespace {

// Names tried after the pattern's own when a file of that name exists (two rotations in one
// second, or a pattern without time fields): "x-1.jsonl", "x-2.jsonl", …
constexpr int kMaxNameSuffix = 10000;

} // namespace

FileStore::FileStore(std::string sink_name, FileSettings settings, std::string header)
    : sink_name_(std::move(sink_name)), settings_(std::move(settings)), header_(std::move(header)),
      state_path_(settings_.path + "/." + sink_name_ + ".state"),
      lock_path_(settings_.path + "/." + sink_name_ + ".lock") {}

std::string FileStore::ActivePath() const {
	return IsOpen() ? PathOf(state_.active->name) : "";
}

void FileStore::Close() {
	data_fd_.Reset();
	state_fd_.Reset();
	lock_fd_.Reset(); // closing the descriptor releases the flock
	state_ = FileState{};
	state_size_ = 0;
}

void FileStore::Open(int64_t now_s) {
	Close();
	try {
		file_io::MakeDirectories(settings_.path);
		lock_fd_ = file_io::OpenFile(lock_path_, O_RDWR | O_CREAT);
		if (!file_io::LockExclusive(lock_fd_, lock_path_))
			throw std::runtime_error("another process is writing the files of sink \"" + sink_name_ +
			                         "\" in " + settings_.path + " (it holds the lock on " + lock_path_ +
			                         ")");
		state_fd_ = file_io::OpenFile(state_path_, O_RDWR | O_CREAT);
		std::string text = file_io::ReadAll(state_fd_, state_path_);
		size_t valid_bytes = 0;
		state_ = ParseStateLog(text, &valid_bytes);
		if (valid_bytes < text.size()) {
			if (valid_bytes == 0)
				log::Write(log::Level::kWarning,
				           "file sink " + sink_name_ + ": " + state_path_ +
				               " is not a state log; starting a new file (files written "
				               "before are left alone, outside the retention)");
			file_io::Truncate(state_fd_, state_path_, static_cast<int64_t>(valid_bytes));
			file_io::SyncData(state_fd_, state_path_);
		}
		state_size_ = static_cast<int64_t>(valid_bytes);
		ApplyRetention(now_s);
		if (!state_.active) {
			StartNewFile(now_s);
			return;
		}
		OpenActiveFile();
		if (state_.active->format != settings_.format) {
			state_.closed.push_back({state_.active->name, now_s});
			StartNewFile(now_s);
		}
	} catch (...) {
		Close();
		throw;
	}
}

void FileStore::OpenActiveFile() {
	ActiveFile &active = *state_.active;
	std::string path = PathOf(active.name);
	bool existed = file_io::Exists(path);
	data_fd_ = file_io::OpenFile(path, O_WRONLY | O_CREAT);
	if (!existed) {
		file_io::SyncDirectory(settings_.path);
		if (active.size > 0)
			log::Write(log::Level::kWarning,
			           "file sink " + sink_name_ + ": " + path + " has disappeared; writing it anew");
		active.size = 0;
		return;
	}
	int64_t actual = file_io::FileSize(data_fd_, path);
	if (actual > active.size) {
		// A crash came after the batch's bytes and before its state line: it was never
		// acknowledged, and the delivery reads it again.
		file_io::Truncate(data_fd_, path, active.size);
		file_io::SyncData(data_fd_, path);
		log::Write(log::Level::kLog,
		           "file sink " + sink_name_ + ": cut " + std::to_string(actual - active.size) +
		               " bytes of an unacknowledged batch off " + path + "; it is written again");
	} else if (actual < active.size) {
		log::Write(log::Level::kWarning, "file sink " + sink_name_ + ": " + path + " holds " +
		                                     std::to_string(actual) + " bytes, fewer than the " +
		                                     std::to_string(active.size) +
		                                     " written to it (was it truncated?); appending after its end");
		active.size = actual;
	}
}

void FileStore::StartNewFile(int64_t now_s) {
	data_fd_.Reset();
	FileState next;
	next.closed = state_.closed;
	next.active = ActiveFile{};
	next.active->name = UniqueName(now_s);
	next.active->format = settings_.format;
	next.active->opened_at_s = now_s;
	if (state_.active)
		next.active->last_batch = state_.active->last_batch;
	// The state names the new file before it exists: a crash in between leaves no stray file,
	// and Open creates the file it names.
	std::string text = StateLogText(next);
	file_io::ReplaceFile(state_path_, text);
	file_io::SyncDirectory(settings_.path);
	state_fd_ = file_io::OpenFile(state_path_, O_RDWR);
	state_size_ = static_cast<int64_t>(text.size());
	state_ = std::move(next);
	OpenActiveFile();
}

bool FileStore::RotationDue(size_t next_bytes, int64_t now_s) const {
	const ActiveFile &active = *state_.active;
	int64_t interval = settings_.rotate_interval_s;
	if (interval > 0 && now_s / interval != active.opened_at_s / interval)
		return true;
	bool has_rows = active.size > static_cast<int64_t>(header_.size());
	return settings_.rotate_size > 0 && has_rows &&
	       active.size + static_cast<int64_t>(next_bytes) > settings_.rotate_size;
}

std::string FileStore::UniqueName(int64_t now_s) const {
	std::string base, problem;
	if (!ExpandFileName(settings_.file_name, sink_name_, settings_.format, now_s, &base, &problem))
		throw std::runtime_error("file_name " + problem);
	auto taken = [&](const std::string &name) {
		for (const ClosedFile &closed : state_.closed)
			if (closed.name == name)
				return true;
		return (state_.active && state_.active->name == name) || file_io::Exists(PathOf(name));
	};
	if (!taken(base))
		return base;
	size_t dot = base.rfind('.');
	if (dot == std::string::npos || dot == 0)
		dot = base.size();
	for (int n = 1; n < kMaxNameSuffix; n++) {
		std::string candidate = base.substr(0, dot) + "-" + std::to_string(n) + base.substr(dot);
		if (!taken(candidate))
			return candidate;
	}
	throw std::runtime_error("no free file name for " + base + " in " + settings_.path);
}

void FileStore::ApplyRetention(int64_t now_s) {
	std::vector<ClosedFile> &closed = state_.closed;
	size_t expired = 0;
	while (expired < closed.size() &&
	       ((settings_.max_files > 0 && closed.size() - expired > static_cast<size_t>(settings_.max_files)) ||
	        (settings_.max_age_s > 0 && closed[expired].closed_at_s + settings_.max_age_s <= now_s)))
		expired++;
	size_t removed = 0;
	for (; removed < expired; removed++) {
		try {
			file_io::RemoveFile(PathOf(closed[removed].name));
		} catch (const std::exception &e) {
			// Old files that cannot go must not stop the delivery: try again at the next rotation.
			log::Write(log::Level::kWarning, "file sink " + sink_name_ + ": retention: " + e.what());
			break;
		}
	}
	closed.erase(closed.begin(), closed.begin() + static_cast<std::ptrdiff_t>(removed));
}

void FileStore::Append(std::string_view data, const std::vector<SeqRange> &batch, int64_t now_s) {
	if (RotationDue(data.size(), now_s)) {
		state_.closed.push_back({state_.active->name, now_s});
		ApplyRetention(now_s);
		StartNewFile(now_s);
	}
	ActiveFile &active = *state_.active;
	std::string path = PathOf(active.name);
	int64_t offset = active.size;
	if (offset == 0 && !header_.empty()) {
		file_io::WriteAt(data_fd_, path, header_, 0);
		offset = static_cast<int64_t>(header_.size());
	}
	file_io::WriteAt(data_fd_, path, data, offset);
	file_io::SyncData(data_fd_, path);
	int64_t size = offset + static_cast<int64_t>(data.size());
	std::string line = BatchLine(size, batch);
	file_io::WriteAt(state_fd_, state_path_, line, state_size_);
	file_io::SyncData(state_fd_, state_path_);
	state_size_ += static_cast<int64_t>(line.size());
	active.size = size;
	active.last_batch = batch;
}

} // namespace pgwatch_rpc::sinks
