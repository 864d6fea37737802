// POSIX file operations of the file sink (see file_io.hpp).
#include "sinks/file/file_io.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace pgwatch_rpc::sinks::file_io {

void Fd::Reset(int fd) {
	if (fd_ >= 0)
		close(fd_);
	fd_ = fd;
}

std::string SystemError(std::string_view what, const std::string &path) {
	return std::string(what) + " " + path + ": " + std::strerror(errno);
}

void MakeDirectories(const std::string &path) {
	struct stat st {};
	if (stat(path.c_str(), &st) == 0) {
		if (!S_ISDIR(st.st_mode))
			throw std::runtime_error(path + " exists and is not a directory");
		return;
	}
	size_t slash = path.find_last_of('/');
	if (slash != std::string::npos && slash > 0)
		MakeDirectories(path.substr(0, slash));
	if (mkdir(path.c_str(), 0750) != 0 && errno != EEXIST)
		throw std::runtime_error(SystemError("cannot create directory", path));
}

Fd OpenFile(const std::string &path, int flags) {
	Fd fd(open(path.c_str(), flags | O_CLOEXEC, 0640));
	if (!fd.valid())
		throw std::runtime_error(SystemError("cannot open", path));
	return fd;
}

bool LockExclusive(const Fd &fd, const std::string &path) {
	if (flock(fd.get(), LOCK_EX | LOCK_NB) == 0)
		return true;
	if (errno == EWOULDBLOCK)
		return false;
	throw std::runtime_error(SystemError("cannot lock", path));
}

int64_t FileSize(const Fd &fd, const std::string &path) {
	struct stat st {};
	if (fstat(fd.get(), &st) != 0)
		throw std::runtime_error(SystemError("cannot stat", path));
	return static_cast<int64_t>(st.st_size);
}

std::string ReadAll(const Fd &fd, const std::string &path) {
	std::string contents;
	char buffer[65536];
	for (off_t offset = 0;;) {
		ssize_t n = pread(fd.get(), buffer, sizeof buffer, offset);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			throw std::runtime_error(SystemError("cannot read", path));
		if (n == 0)
			return contents;
		contents.append(buffer, static_cast<size_t>(n));
		offset += n;
	}
}

void WriteAt(const Fd &fd, const std::string &path, std::string_view data, int64_t offset) {
	size_t done = 0;
	while (done < data.size()) {
		ssize_t n =
		    pwrite(fd.get(), data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = ENOSPC;
			throw std::runtime_error(SystemError("cannot write", path));
		}
		done += static_cast<size_t>(n);
	}
}

void Truncate(const Fd &fd, const std::string &path, int64_t size) {
	if (ftruncate(fd.get(), static_cast<off_t>(size)) != 0)
		throw std::runtime_error(SystemError("cannot truncate", path));
}

void SyncData(const Fd &fd, const std::string &path) {
	if (fdatasync(fd.get()) != 0)
		throw std::runtime_error(SystemError("cannot flush to disk (fdatasync)", path));
}

void SyncDirectory(const std::string &path) {
	Fd dir(open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	if (!dir.valid() || fsync(dir.get()) != 0)
		throw std::runtime_error(SystemError("cannot flush the directory to disk (fsync)", path));
}

void ReplaceFile(const std::string &path, std::string_view contents) {
	std::string tmp = path + ".tmp";
	Fd fd = OpenFile(tmp, O_WRONLY | O_CREAT | O_TRUNC);
	WriteAt(fd, tmp, contents, 0);
	SyncData(fd, tmp);
	if (rename(tmp.c_str(), path.c_str()) != 0)
		throw std::runtime_error(SystemError("cannot rename " + tmp + " to", path));
}

bool Exists(const std::string &path) {
	struct stat st {};
	return lstat(path.c_str(), &st) == 0;
}

void RemoveFile(const std::string &path) {
	if (unlink(path.c_str()) != 0 && errno != ENOENT)
		throw std::runtime_error(SystemError("cannot remove", path));
}

} // namespace pgwatch_rpc::sinks::file_io
