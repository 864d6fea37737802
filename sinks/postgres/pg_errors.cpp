// SQLSTATE classification of the postgres sink (see pg_errors.hpp).
#include "sinks/postgres/pg_errors.hpp"

namespace pgwatch_rpc::sinks {

PgErrorClass ClassifySqlState(std::string_view sqlstate, std::string_view constraint) {
	if (sqlstate.size() != 5)
		return PgErrorClass::kTransient;
	std::string_view cls = sqlstate.substr(0, 2);
	if (cls == "08" || cls == "53" || sqlstate == "40001" || sqlstate == "40P01" || sqlstate == "55P03" ||
	    sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03" || sqlstate == "57014")
		return PgErrorClass::kTransient;
	if (sqlstate == "23514" && constraint.empty())
		return PgErrorClass::kNoPartition;
	if (cls == "22" || (cls == "23" && !constraint.empty()))
		return PgErrorClass::kBadData;
	return PgErrorClass::kOther;
}

} // namespace pgwatch_rpc::sinks
