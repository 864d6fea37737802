// The few POSIX file operations the file sink needs for durability (SINKS.md §14.2: write,
// fdatasync, rename, fsync of the directory), each throwing std::runtime_error with the path
// and the system's reason so that a failed delivery says what to fix.
#pragma once
#include "core/core_only.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace pgwatch_rpc::sinks::file_io {

// Fd owns a file descriptor.
class Fd {
public:
	Fd() = default;
	explicit Fd(int fd) : fd_(fd) {}
	~Fd() { Reset(); }
	Fd(Fd &&other) noexcept : fd_(other.Release()) {}
	Fd &operator=(Fd &&other) noexcept {
		Reset(other.Release());
		return *this;
	}
	int get() const { return fd_; }
	bool valid() const { return fd_ >= 0; }
	int Release() {
		int fd = fd_;
		fd_ = -1;
		return fd;
	}
	void Reset(int fd = -1);

private:
	int fd_ = -1;
};

// SystemError: "<what> <path>: <strerror(errno)>", for the exceptions below.
std::string SystemError(std::string_view what, const std::string &path);

// MakeDirectories creates path and its missing parents (mode 0750 before the umask).
void MakeDirectories(const std::string &path);

// OpenFile opens path with flags (O_CLOEXEC added) and mode 0640 for a new file.
Fd OpenFile(const std::string &path, int flags);

// LockExclusive takes a non-blocking flock on fd; false if another process holds it.
bool LockExclusive(const Fd &fd, const std::string &path);

// FileSize: the size of the open file.
int64_t FileSize(const Fd &fd, const std::string &path);

// ReadAll reads the whole open file from offset 0.
std::string ReadAll(const Fd &fd, const std::string &path);

// WriteAt writes all of data at offset (a short write of a full disk is an error).
void WriteAt(const Fd &fd, const std::string &path, std::string_view data, int64_t offset);

// Truncate cuts the file to size; SyncData fdatasyncs it.
void Truncate(const Fd &fd, const std::string &path, int64_t size);
void SyncData(const Fd &fd, const std::string &path);

// SyncDirectory fsyncs a directory, making the entries created, renamed or removed in it
// durable.
void SyncDirectory(const std::string &path);

// ReplaceFile writes contents to path + ".tmp", fsyncs it and renames it over path (the
// caller syncs the directory).
void ReplaceFile(const std::string &path, std::string_view contents);

// Exists: whether path names anything (a dangling symlink counts).
bool Exists(const std::string &path);

// RemoveFile unlinks path; a file already gone is not an error.
void RemoveFile(const std::string &path);

} // namespace pgwatch_rpc::sinks::file_io
