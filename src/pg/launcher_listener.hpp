// The `pgwatch-rpc listen` child (DESIGN.md §3.2): what is particular to starting it (a fresh
// password for pgwatch_rpc_listener, the certificate and the settings file, its arguments).
// Its supervision is the generic one of launcher_child.hpp.
#pragma once
#include "pg/pg_prelude.h"

#include "pg/launcher_child.hpp"

namespace pgwatch_rpc::pg {

// ListenerInit prepares the supervisor of the listener child.
void ListenerInit(ChildSupervisor *supervisor);

// ListenerStart sets a new password for the listener role, writes the certificate and the
// settings file, and spawns the child. Failures are logged and retried after the backoff.
void ListenerStart(ChildSupervisor *supervisor, int64 now);

} // namespace pgwatch_rpc::pg
