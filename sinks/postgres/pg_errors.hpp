// How the postgres sink treats a PostgreSQL error, by SQLSTATE (SINKS.md §1.4). Pure.
#pragma once
#include "core/core_only.hpp"

#include <string_view>

namespace pgwatch_rpc::sinks {

enum class PgErrorClass {
	kTransient,   // connection lost, serialization/deadlock, resources, shutdown, lock timeout:
	              // retry the batch later on a fresh connection
	kNoPartition, // 23514 naming no constraint: no partition for a row; ensure partitions
	              // again and retry now
	kBadData,     // class 22, or class 23 naming a constraint (a CHECK, NOT NULL or unique
	              // index someone added): a row the target cannot take; dead-letter it
	kOther,       // anything else (permissions, missing objects …): retry with the message
};

// ClassifySqlState: an empty sqlstate (libpq reported no server error) counts as transient.
// constraint is the error's constraint name: PostgreSQL raises 23514 both for a row no
// partition takes (no constraint named) and for a failed CHECK constraint (named).
PgErrorClass ClassifySqlState(std::string_view sqlstate, std::string_view constraint = {});

} // namespace pgwatch_rpc::sinks
