// Keeps the key file equal to the committed secret of key "default" (key_file.hpp): stages
// "<key file>.new" when a transaction changes the secret, renames it at commit from a
// transaction callback, removes it at rollback, and repairs what a crash left at start.
// C++ objects live only inside InvokeCpp lambdas: none is alive when anything here ereports.
#include "core/auth/key_secret.hpp" // before PostgreSQL's headers: core_only.hpp refuses them
#include "core/tls/self_signed.hpp"

#include "pg/pg_prelude.h"
#include "pg/cpp_guard.hpp"

#include "pg/guc.hpp"
#include "pg/key_file.hpp"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

namespace pgwatch_rpc::pg {
namespace {

// Secrets are 43 characters (auth::NewSecret); the bound only keeps a broken caller from
// making us write anything large.
constexpr size_t kMaxSecretBytes = 256;
constexpr const char *kStagedSuffix = ".new";

// One staged secret per subtransaction level that staged one; the top of the stack is what
// the commit installs. Plain data in TopMemoryContext, wiped when the transaction ends.
struct StagedSecret {
	SubTransactionId subid;
	char secret[kMaxSecretBytes + 1];
};

StagedSecret *staged = nullptr;
int staged_count = 0;
int staged_capacity = 0;
char key_path[MAXPGPATH];     // the key file, fixed at the first staging of the transaction
char staged_path[MAXPGPATH];  // key_path + ".new"
bool rewrite_pending = false; // a subtransaction abort uncovered an older secret
bool callbacks_registered = false;

// ValidateSecret refuses what cannot be a secret of ours: empty, too long, or characters
// that would make the file ambiguous to read back (the file is the secret and a newline).
void ValidateSecret(const char *secret) {
	size_t len = strlen(secret);
	if (len == 0 || len > kMaxSecretBytes)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("a key secret must be 1 to %d bytes long", (int)kMaxSecretBytes)));
	for (const char *p = secret; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;
		if (c <= ' ' || c == 0x7f)
			ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			                errmsg("a key secret must not contain spaces or control characters")));
	}
}

// EnsureParentDirectory creates the key file's directory (0700) when it is missing.
void EnsureParentDirectory(const char *path) {
	char directory[MAXPGPATH];
	strlcpy(directory, path, sizeof directory);
	get_parent_directory(directory);
	if (directory[0] == '\0')
		return;
	if (mkdir(directory, S_IRWXU) != 0 && errno != EEXIST)
		ereport(ERROR,
		        (errcode_for_file_access(), errmsg("could not create directory \"%s\": %m", directory)));
}

// WriteStagedFile writes secret and a newline to staged_path, atomically, mode 0600.
void WriteStagedFile(const char *secret) {
	const char *path = staged_path;
	InvokeCpp("could not stage the key file", ERRCODE_IO_ERROR, [path, secret] {
		std::string data(secret);
		data += '\n';
		tls::WriteFileAtomically(path, data, S_IRUSR | S_IWUSR);
	});
}

// FsyncDirectoryOf makes a rename in path's directory durable. Returns errno or 0.
int FsyncDirectoryOf(const char *path) {
	char directory[MAXPGPATH];
	strlcpy(directory, path, sizeof directory);
	get_parent_directory(directory);
	int fd = open(directory[0] != '\0' ? directory : ".", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	int result = fsync(fd) == 0 ? 0 : errno;
	close(fd);
	return result;
}

// InstallStagedFile renames staged over the key file and fsyncs the directory; elevel says
// how loud a failure is (the commit callback cannot raise an ERROR any more).
bool InstallStagedFile(const char *staged_file, const char *key_file, int elevel) {
	if (rename(staged_file, key_file) != 0) {
		ereport(elevel,
		        (errcode_for_file_access(),
		         errmsg("could not rename \"%s\" to \"%s\": %m", staged_file, key_file),
		         errhint("The pgwatch_rpc launcher installs the staged key file at its next start.")));
		return false;
	}
	int error = FsyncDirectoryOf(key_file);
	if (error != 0) {
		errno = error;
		ereport(elevel,
		        (errcode_for_file_access(), errmsg("could not fsync the directory of \"%s\": %m", key_file)));
	}
	return true;
}

void RemoveStagedFile(void) {
	if (unlink(staged_path) != 0 && errno != ENOENT)
		ereport(WARNING, (errcode_for_file_access(), errmsg("could not remove \"%s\": %m", staged_path)));
}

// ResetStaging forgets everything staged, wiping the secrets from memory.
void ResetStaging(void) {
	if (staged != nullptr) {
		explicit_bzero(staged, sizeof(StagedSecret) * staged_capacity);
		pfree(staged);
	}
	staged = nullptr;
	staged_count = 0;
	staged_capacity = 0;
	rewrite_pending = false;
}

void KeyFileXactCallback(XactEvent event, void *) {
	if (staged_count == 0)
		return;
	switch (event) {
	case XACT_EVENT_PRE_COMMIT:
		// Still allowed to fail: an ERROR here rolls the transaction back, key and file alike.
		if (rewrite_pending) {
			WriteStagedFile(staged[staged_count - 1].secret);
			rewrite_pending = false;
		}
		break;
	case XACT_EVENT_COMMIT:
		InstallStagedFile(staged_path, key_path, WARNING);
		ResetStaging();
		break;
	case XACT_EVENT_ABORT:
		RemoveStagedFile();
		ResetStaging();
		break;
	case XACT_EVENT_PRE_PREPARE:
		// A prepared transaction may commit after a restart, in another process: nothing
		// would then install the file. The rollback that follows this ERROR removes it.
		ereport(ERROR,
		        (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
		         errmsg("cannot PREPARE a transaction that changed the secret of API key \"default\"")));
		break;
	default:
		break;
	}
}

void KeyFileSubXactCallback(SubXactEvent event, SubTransactionId my_subid, SubTransactionId parent_subid,
                            void *) {
	if (staged_count == 0)
		return;
	StagedSecret *top = &staged[staged_count - 1];
	if (event == SUBXACT_EVENT_COMMIT_SUB && top->subid == my_subid) {
		// The parent now owns the secret; it replaces whatever the parent staged before.
		if (staged_count >= 2 && staged[staged_count - 2].subid == parent_subid) {
			memcpy(&staged[staged_count - 2], top, sizeof *top);
			explicit_bzero(top, sizeof *top);
			staged_count--;
		}
		staged[staged_count - 1].subid = parent_subid;
	} else if (event == SUBXACT_EVENT_ABORT_SUB) {
		// Subtransaction ids grow: entries at or above my_subid were staged by it or by its
		// (already aborted or merged) children.
		bool popped = false;
		while (staged_count > 0 && staged[staged_count - 1].subid >= my_subid) {
			explicit_bzero(&staged[staged_count - 1], sizeof(StagedSecret));
			staged_count--;
			popped = true;
		}
		if (!popped)
			return;
		if (staged_count == 0) {
			RemoveStagedFile();
			ResetStaging();
		} else {
			// No ERROR allowed during abort processing: rewrite before commit instead.
			rewrite_pending = true;
		}
	}
}

// ReadStagedSecret reads at most kMaxSecretBytes of path into buffer without the trailing
// newline. Returns false (and leaves a LOG line) if the file cannot be read or is too long.
bool ReadStagedSecret(const char *path, char *buffer, size_t buffer_size) {
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ereport(LOG, (errcode_for_file_access(), errmsg("could not open \"%s\": %m", path)));
		return false;
	}
	size_t used = 0;
	bool ok = true;
	while (used < buffer_size) {
		ssize_t n = read(fd, buffer + used, buffer_size - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ereport(LOG, (errcode_for_file_access(), errmsg("could not read \"%s\": %m", path)));
			ok = false;
			break;
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	close(fd);
	if (!ok || used == buffer_size)
		return false;
	while (used > 0 && (buffer[used - 1] == '\n' || buffer[used - 1] == '\r'))
		used--;
	buffer[used] = '\0';
	return true;
}

} // namespace

char *KeyFilePath(void) {
	if (pgwatch_rpc_key_file == nullptr || pgwatch_rpc_key_file[0] == '\0')
		ereport(ERROR,
		        (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("pgwatch_rpc.key_file is empty"),
		         errhint("Set pgwatch_rpc.key_file to a file name, such as pgwatch_rpc/default.key.")));
	char *path = is_absolute_path(pgwatch_rpc_key_file) ? pstrdup(pgwatch_rpc_key_file)
	                                                    : psprintf("%s/%s", DataDir, pgwatch_rpc_key_file);
	canonicalize_path(path);
	if (strlen(path) + strlen(kStagedSuffix) >= MAXPGPATH)
		ereport(ERROR,
		        (errcode(ERRCODE_NAME_TOO_LONG), errmsg("pgwatch_rpc.key_file is too long: \"%s\"", path)));
	return path;
}

void StageKeyFile(const char *secret) {
	ValidateSecret(secret);
	if (!callbacks_registered) {
		RegisterXactCallback(KeyFileXactCallback, nullptr);
		RegisterSubXactCallback(KeyFileSubXactCallback, nullptr);
		callbacks_registered = true;
	}
	if (staged_count == 0) {
		char *path = KeyFilePath();
		strlcpy(key_path, path, sizeof key_path);
		snprintf(staged_path, sizeof staged_path, "%s%s", path, kStagedSuffix);
		pfree(path);
		EnsureParentDirectory(key_path);
	}
	if (staged_count == staged_capacity) {
		int capacity = staged_capacity == 0 ? 4 : staged_capacity * 2;
		StagedSecret *grown =
		    (StagedSecret *)MemoryContextAllocZero(TopMemoryContext, sizeof(StagedSecret) * capacity);
		if (staged != nullptr) {
			memcpy(grown, staged, sizeof(StagedSecret) * staged_count);
			explicit_bzero(staged, sizeof(StagedSecret) * staged_capacity);
			pfree(staged);
		}
		staged = grown;
		staged_capacity = capacity;
	}

	// Written now, so a failure is reported by the statement that rotated the key.
	WriteStagedFile(secret);
	rewrite_pending = false;

	SubTransactionId subid = GetCurrentSubTransactionId();
	StagedSecret *slot = (staged_count > 0 && staged[staged_count - 1].subid == subid)
	                         ? &staged[staged_count - 1]
	                         : &staged[staged_count++];
	slot->subid = subid;
	strlcpy(slot->secret, secret, sizeof slot->secret);
}

void RecoverStagedKeyFile(void) {
	char *path = KeyFilePath();
	char *new_path = psprintf("%s%s", path, kStagedSuffix);
	struct stat st;
	if (stat(new_path, &st) != 0) {
		if (errno != ENOENT)
			ereport(LOG, (errcode_for_file_access(), errmsg("could not stat \"%s\": %m", new_path)));
		return;
	}

	// SKIP LOCKED: a rotation in flight holds the row; its own commit or rollback handles the
	// file, and waiting here would stall the launcher behind a user's open transaction.
	if (SPI_connect() != SPI_OK_CONNECT)
		ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("SPI_connect failed")));
	int rc = SPI_execute(
	    "SELECT secret_hash FROM pgwatch_rpc.keys WHERE name = 'default' FOR SHARE SKIP LOCKED", false, 1);
	if (rc != SPI_OK_SELECT)
		ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
		                errmsg("could not read key \"default\": %s", SPI_result_code_string(rc))));
	if (SPI_processed == 0) {
		SPI_finish();
		return;
	}
	bool isnull = false;
	Datum datum = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	uint8_t committed[32];
	bool have_hash = false;
	if (!isnull) {
		bytea *hash = DatumGetByteaPP(datum);
		if (VARSIZE_ANY_EXHDR(hash) == sizeof committed) {
			memcpy(committed, VARDATA_ANY(hash), sizeof committed);
			have_hash = true;
		}
	}
	SPI_finish();

	char secret[kMaxSecretBytes + 2];
	bool matches = false;
	if (have_hash && ReadStagedSecret(new_path, secret, sizeof secret)) {
		const char *secret_ptr = secret;
		const uint8_t *committed_ptr = committed;
		matches = InvokeCpp("could not hash the staged key file", ERRCODE_INTERNAL_ERROR,
		                    [secret_ptr, committed_ptr] {
			                    auth::KeyHash expected{};
			                    memcpy(expected.data(), committed_ptr, expected.size());
			                    return auth::HashesEqual(auth::HashSecret(secret_ptr), expected);
		                    });
	}
	explicit_bzero(secret, sizeof secret);

	if (matches) {
		if (InstallStagedFile(new_path, path, LOG))
			ereport(LOG,
			        (errmsg("pgwatch_rpc installed the key file \"%s\" staged by a committed transaction",
			                path)));
	} else if (unlink(new_path) == 0) {
		ereport(LOG, (errmsg("pgwatch_rpc removed \"%s\": it belonged to a transaction that did not commit",
		                     new_path)));
	} else if (errno != ENOENT) {
		ereport(LOG, (errcode_for_file_access(), errmsg("could not remove \"%s\": %m", new_path)));
	}
	pfree(new_path);
	pfree(path);
}

} // namespace pgwatch_rpc::pg
