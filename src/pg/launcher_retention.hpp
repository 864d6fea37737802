// Spool retention in the launcher (issue #3): as soon as the extension is set up and then
// about once a minute, the launcher calls pgwatch_rpc.spool_apply_retention with
// pgwatch_rpc.spool_retention and pgwatch_rpc.spool_max_size. The SQL function decides what
// goes, counts each sink's losses and logs; this file only schedules it and runs it in a short
// transaction of its own.
#pragma once
#include "pg/pg_prelude.h"

namespace pgwatch_rpc::pg {

// SpoolRetentionWork applies spool retention if it is due at now (the first call always is)
// and returns when it is due next. An error is logged as a warning, never raised.
int64 SpoolRetentionWork(int64 now);

} // namespace pgwatch_rpc::pg
