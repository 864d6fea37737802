// The INSERT of one pgwatch_rpc.dead_letters row, shared by the spool port (dead letters of
// ordinary sinks) and sinks that store theirs with their data (Outcome::cursor_committed).
#pragma once
#include "core/core_only.hpp"
#include "core/sink/sink.hpp"

#include <string>
#include <vector>

namespace pgwatch_rpc::delivery {

constexpr const char *kInsertDeadLetterSql =
    "INSERT INTO pgwatch_rpc.dead_letters (sink, listener_id, seq, kind, dbname, metric, error, payload) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8::bytea)";

// DeadLetterParams: the text parameters of kInsertDeadLetterSql.
std::vector<std::string> DeadLetterParams(const std::string &sink_name, const sink::Record &record,
                                          const std::string &error);

} // namespace pgwatch_rpc::delivery
