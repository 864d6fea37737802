// Starting and describing the launcher's child processes (DESIGN.md §3.2): fork+exec with a
// clean signal state, no inherited descriptors but a pipe for stdout and stderr, a new
// session, and a parent-death signal. PostgreSQL-side code, but nothing here ereports: callers
// get error texts and decide the log level.
#pragma once

#include <sys/types.h>

#include <cstddef>

namespace pgwatch_rpc::pg {

struct SpawnedChild {
	pid_t pid;
	int output_fd; // read end of the child's stdout+stderr pipe, non-blocking, close-on-exec
};

// SpawnChild runs argv[0] with argv and envp (both NULL-terminated) as a child of this process.
// Returns false and writes the reason into error (error_size bytes) when the pipe, fork or
// exec fails; an exec failure is detected synchronously, and that child is already reaped.
// The caller owns out->output_fd and must reap out->pid.
bool SpawnChild(char *const argv[], char *const envp[], SpawnedChild *out, char *error, size_t error_size);

// DescribeExit writes "exited with exit code N" or "was terminated by signal N: Name" for a
// waitpid() status into buffer.
void DescribeExit(int status, char *buffer, size_t buffer_size);

} // namespace pgwatch_rpc::pg
