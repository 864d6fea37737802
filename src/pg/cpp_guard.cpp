#include "pg/cpp_guard.hpp"

namespace pgwatch_rpc::pg {

void RaiseCppFailure(const char *what_failed, const char *message, int sqlstate) {
	ereport(ERROR, (errcode(sqlstate), errmsg("%s: %s", what_failed, message)));
	pg_unreachable();
}

} // namespace pgwatch_rpc::pg
