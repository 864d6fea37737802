// The key file (DESIGN.md §5): the secret of key "default" in a file of the data directory
// that only the server's OS user can read, kept equal to the committed secret. A change is
// staged as "<key file>.new" inside the transaction that makes it and renamed into place at
// commit, so the file never holds a secret the database does not (or a rolled-back one).
// Functions here ereport(ERROR) on failure; returned strings are palloc'd.
#pragma once

namespace pgwatch_rpc::pg {

// KeyFilePath: pgwatch_rpc.key_file made absolute (relative paths are in the data directory).
char *KeyFilePath(void);

// StageKeyFile writes secret to "<KeyFilePath()>.new" now (mode 0600, fsync; the parent
// directory is created with 0700 if missing) and arranges that the top-level commit renames
// it over the key file (and fsyncs the directory) while a rollback of the transaction, or of
// the subtransaction that staged it, removes it. Several calls in one transaction: the
// latest one that commits wins. PREPARE TRANSACTION after a call is refused.
void StageKeyFile(const char *secret);

// RecoverStagedKeyFile finishes what a crash interrupted between a commit and its rename:
// if "<KeyFilePath()>.new" exists, it is renamed into place when SHA-256 of its secret equals
// the committed hash of key "default", and removed otherwise. The launcher calls it at start,
// inside a transaction with an active snapshot, once the extension exists. If a transaction
// holds key "default" locked right now (a rotation in flight), or the key does not exist yet,
// the file is left alone: that transaction's own commit or rollback deals with it.
void RecoverStagedKeyFile(void);

} // namespace pgwatch_rpc::pg
