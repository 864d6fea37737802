// Loading the key cache from pgwatch_rpc.keys (DESIGN.md §4.1): the query the listener runs
// and the conversion of its rows into auth::KeyEntry values. Revoked keys are not loaded.
#pragma once
#include "core/auth/key_cache.hpp"
#include "core/core_only.hpp"

#include <libpq-fe.h>

#include <string>
#include <vector>

namespace pgwatch_rpc::spool {

// One row per (key, allowed source pattern); a key without patterns has one row with a
// NULL pattern. Hashes come hex-encoded, times as Unix microseconds, so the text result is
// independent of the server's bytea_output and DateStyle settings.
extern const char *const kLoadKeysSql;

// KeysFromRows converts a result of kLoadKeysSql. Rows with a malformed hash are skipped
// and named in *skipped (comma separated) so the caller can log them.
std::vector<auth::KeyEntry> KeysFromRows(const PGresult *rows, std::string *skipped);

} // namespace pgwatch_rpc::spool
