// How the postgres sink treats a PostgreSQL error, by SQLSTATE (SINKS.md §1.4). Pure.
#pragma once
#include "core/core_only.hpp"

#include <string_view>

namespace pgwatch_rpc::sinks {

enum class PgErrorClass {
	kTransient,      // connection lost, serialization/deadlock, resources, shutdown, lock timeout:
	                 // retry the batch later on a fresh connection
	kNoPartition,    // 23514: no partition for a row; ensure partitions again and retry now
	kBadData,        // class 22: a row the target cannot take; find it and dead-letter it
	kOther,          // anything else (permissions, missing objects …): retry with the message
};

// ClassifySqlState: an empty sqlstate (libpq reported no server error) counts as transient.
PgErrorClass ClassifySqlState(std::string_view sqlstate);

} // namespace pgwatch_rpc::sinks
