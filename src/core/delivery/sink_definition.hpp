// SinkDefinition: a sink's row of pgwatch_rpc.sinks as its delivery child reads it.
#pragma once
#include "core/core_only.hpp"
#include "core/libpq/pg_connection.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace pgwatch_rpc::delivery {

struct SinkDefinition {
	std::string kind;
	std::string config_json;
	std::string secrets_json;
	bool enabled = false;
	int64_t generation = 0;
};

// ReadSinkDefinition returns the sink's row, or nullopt when no sink has that name. Throws
// std::runtime_error when the query fails.
std::optional<SinkDefinition> ReadSinkDefinition(libpq::PgConnection &conn, const std::string &sink_name);

} // namespace pgwatch_rpc::delivery
