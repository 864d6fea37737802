// Turns OpenSSL's thread-local error queue into one short reason an operator can act on
// ("no start line", "key values mismatch", "No such file or directory").
#pragma once
#include "core/core_only.hpp"

#include <string>

namespace pgwatch_rpc::tls {

// TakeOpenSslReason empties the error queue and returns the reason of its earliest entry
// (the root cause; later entries are the callers' generic "PEM lib" / "system lib").
std::string TakeOpenSslReason();

} // namespace pgwatch_rpc::tls
