// The SQL of pgwatch's postgres storage schema (SINKS.md §1.1), re-created from its
// description, plus the postgres sink's own remote cursor table.
#pragma once
#include "core/core_only.hpp"

namespace pgwatch_rpc::sinks {

// kBootstrapSql creates schemas admin and subpartitions, the admin tables and functions and
// extension btree_gin. Run it in one transaction, only when schema admin does not exist.
extern const char *const kBootstrapSql;

// kRemoteCursorSql creates admin.rpc_sink_cursors if missing (remote mode only; see
// postgres_sink.cpp for why a cursor and not a per-batch ledger).
extern const char *const kRemoteCursorSql;

} // namespace pgwatch_rpc::sinks
