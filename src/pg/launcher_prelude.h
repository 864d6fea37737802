// PostgreSQL declarations the launcher needs beyond pg/pg_prelude.h: the postmaster's socket
// settings (the child's connection string), the SCRAM verifier builder (the child's
// password) and shared memory (how backends wake the launcher). Included instead of pg/pg_prelude.h by the launcher's files only.
#pragma once
#include "pg/pg_prelude.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wunused-parameter"
extern "C" {
#include "port/atomics.h"
#include "postmaster/postmaster.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "storage/spin.h"

// From libpq/scram.h, declared here because that header includes libpq-be.h, which needs the
// GSSAPI headers (libkrb5-dev) that a Debian build machine does not otherwise need. Builds a
// SCRAM-SHA-256 verifier with a random salt; palloc'd.
extern char *pg_be_scram_build_secret(const char *password);
}
#pragma GCC diagnostic pop
