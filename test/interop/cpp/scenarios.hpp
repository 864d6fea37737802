// The scenarios of interop_client: each sends its calls through a Caller and prints one JSON
// line per call ({"method", "code", "message", "logmsg"} plus scenario details).
#pragma once

#include "caller.hpp"
#include "client_options.hpp"

namespace pgwatch_rpc::interop {

// RunScenario runs options.scenario; returns the process exit code (0 once the calls ran,
// whatever the server answered; 1 on the client's own errors, such as an unwritable dump).
int RunScenario(const ClientOptions &options, Caller &caller);

} // namespace pgwatch_rpc::interop
