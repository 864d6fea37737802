// fork+exec of the launcher's children (DESIGN.md §3.2). Between fork and exec the child runs
// only async-signal-safe calls on data prepared before the fork: a backend's memory, locks and
// handlers are in an unknown state there, so no palloc, no elog, no stdio.
#include "pg/pg_prelude.h"

#include "pg/child_process.hpp"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace pgwatch_rpc::pg {
namespace {

// Descriptor that carries errno of a failed execve back to the parent (close-on-exec, so a
// successful exec closes it and the parent reads end-of-file).
constexpr int kExecStatusFd = 3;

// Exit code of a child whose parent died before it could arm the parent-death signal.
constexpr int kExitParentGone = 125;
constexpr int kExitSetupFailed = 126;
constexpr int kExitExecFailed = 127;

struct ChildFds {
	int dev_null;
	int output;
	int exec_status;
	int max_fd; // upper bound for the fallback close loop
};

[[noreturn]] void FailInChild(int status_fd, int exit_code) {
	int saved = errno;
	ssize_t ignored = write(status_fd, &saved, sizeof saved);
	(void)ignored;
	_exit(exit_code);
}

// RunChild is the child's side of SpawnChild; it never returns.
[[noreturn]] void RunChild(char *const argv[], char *const envp[], ChildFds fds, pid_t parent) {
	// Default dispositions first, then an empty mask: no PostgreSQL handler may ever run here.
	struct sigaction dfl;
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	for (int sig = 1; sig < NSIG; sig++)
		(void)sigaction(sig, &dfl, nullptr);

	// Move our three descriptors above 2 so the dup2 calls below cannot clobber one another.
	int dev_null = fcntl(fds.dev_null, F_DUPFD_CLOEXEC, kExecStatusFd + 1);
	int output = fcntl(fds.output, F_DUPFD_CLOEXEC, kExecStatusFd + 1);
	int status = fcntl(fds.exec_status, F_DUPFD_CLOEXEC, kExecStatusFd + 1);
	if (status < 0)
		_exit(kExitSetupFailed);
	if (dev_null < 0 || output < 0)
		FailInChild(status, kExitSetupFailed);
	if (dup3(status, kExecStatusFd, O_CLOEXEC) < 0)
		FailInChild(status, kExitSetupFailed);
	status = kExecStatusFd;
	if (dup2(dev_null, STDIN_FILENO) < 0 || dup2(output, STDOUT_FILENO) < 0 ||
	    dup2(output, STDERR_FILENO) < 0)
		FailInChild(status, kExitSetupFailed);
	// Nothing else a backend has open (sockets, the latch's pipe, relation files) is inherited.
	if (close_range(kExecStatusFd + 1, ~0U, 0) != 0)
		for (int fd = kExecStatusFd + 1; fd < fds.max_fd; fd++)
			(void)close(fd);

	// A session of its own: a terminal's ^C or a signal to the postmaster's group does not reach
	// it; the launcher alone decides when it stops.
	if (setsid() < 0)
		FailInChild(status, kExitSetupFailed);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
		FailInChild(status, kExitSetupFailed);
	// The launcher may have died between fork and prctl; then nobody would ever stop us.
	if (getppid() != parent)
		_exit(kExitParentGone);

	sigset_t none;
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, nullptr);
	execve(argv[0], argv, envp);
	FailInChild(status, kExitExecFailed);
}

void CloseQuietly(int fd) {
	if (fd >= 0)
		(void)close(fd);
}

} // namespace

bool SpawnChild(char *const argv[], char *const envp[], SpawnedChild *out, char *error, size_t error_size) {
	int output[2] = {-1, -1};
	int exec_status[2] = {-1, -1};
	int dev_null = -1;
	if (pipe2(output, O_CLOEXEC) != 0 || pipe2(exec_status, O_CLOEXEC) != 0 ||
	    (dev_null = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(error, error_size, "could not create pipes for \"%s\": %s", argv[0], strerror(errno));
		CloseQuietly(output[0]);
		CloseQuietly(output[1]);
		CloseQuietly(exec_status[0]);
		CloseQuietly(exec_status[1]);
		return false;
	}
	struct rlimit files;
	ChildFds fds = {dev_null, output[1], exec_status[1], 1024};
	if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur != RLIM_INFINITY && files.rlim_cur < 65536)
		fds.max_fd = static_cast<int>(files.rlim_cur);
	pid_t parent = getpid();

	// Block every signal across fork so that no handler of ours runs in the child before it
	// has reset them; the parent restores its mask right after.
	sigset_t all, saved;
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &saved);
	pid_t pid = fork();
	if (pid == 0)
		RunChild(argv, envp, fds, parent);
	int fork_errno = errno;
	sigprocmask(SIG_SETMASK, &saved, nullptr);
	CloseQuietly(output[1]);
	CloseQuietly(exec_status[1]);
	CloseQuietly(dev_null);
	if (pid < 0) {
		snprintf(error, error_size, "could not fork for \"%s\": %s", argv[0], strerror(fork_errno));
		CloseQuietly(output[0]);
		CloseQuietly(exec_status[0]);
		return false;
	}

	// End of file: exec succeeded (the descriptor was close-on-exec). An int: it failed.
	int child_errno = 0;
	ssize_t n;
	do
		n = read(exec_status[0], &child_errno, sizeof child_errno);
	while (n < 0 && errno == EINTR);
	CloseQuietly(exec_status[0]);
	if (n == static_cast<ssize_t>(sizeof child_errno)) {
		int status;
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		CloseQuietly(output[0]);
		snprintf(error, error_size, "could not execute \"%s\": %s", argv[0], strerror(child_errno));
		return false;
	}
	if (fcntl(output[0], F_SETFL, O_NONBLOCK) != 0) {
		// Without a non-blocking pipe the relay could stall the launcher: give up on this child.
		snprintf(error, error_size, "could not make the output pipe of \"%s\" non-blocking: %s", argv[0],
		         strerror(errno));
		(void)kill(pid, SIGKILL);
		int status;
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		CloseQuietly(output[0]);
		return false;
	}
	out->pid = pid;
	out->output_fd = output[0];
	return true;
}

void DescribeExit(int status, char *buffer, size_t buffer_size) {
	if (WIFEXITED(status))
		snprintf(buffer, buffer_size, "exited with exit code %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buffer, buffer_size, "was terminated by signal %d: %s", WTERMSIG(status),
		         pg_strsignal(WTERMSIG(status)));
	else
		snprintf(buffer, buffer_size, "exited with unrecognized status %d", status);
}

} // namespace pgwatch_rpc::pg
