// Reading a sink's definition from the hub (see sink_definition.hpp).
#include "core/delivery/sink_definition.hpp"

#include <stdexcept>

namespace pgwatch_rpc::delivery {

std::optional<SinkDefinition> ReadSinkDefinition(libpq::PgConnection &conn, const std::string &sink_name) {
	libpq::PgRows rows;
	libpq::PgStatus st = conn.Query("SELECT kind, config::text, secrets::text, enabled::text, generation::text "
	                                "FROM pgwatch_rpc.sinks WHERE name = $1",
	                                {sink_name}, &rows, false);
	if (!st.ok)
		throw std::runtime_error("hub database: reading sink \"" + sink_name + "\": " + st.message);
	if (rows.Count() == 0)
		return std::nullopt;
	SinkDefinition def;
	def.kind = std::string(rows.Value(0, 0));
	def.config_json = std::string(rows.Value(0, 1));
	def.secrets_json = std::string(rows.Value(0, 2));
	def.enabled = rows.Value(0, 3) == "true";
	def.generation = std::stoll(std::string(rows.Value(0, 4)));
	return def;
}

} // namespace pgwatch_rpc::delivery
