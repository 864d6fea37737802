// The HEC channel of a sink (SINKS.md §3.2): acknowledgement ids are counted per channel,
// so every request of a sink carries the same channel, across restarts of its delivery
// child. Without a `channel` key it is derived from the sink's name, which is stable and
// unique within a hub: no state to persist, and a restarted child polls the same channel.
#pragma once
#include "core/core_only.hpp"

#include <string>
#include <string_view>

namespace pgwatch_rpc::sinks {

// DeriveChannel: a GUID (RFC 9562 version 8, name-based on SHA-256) from the sink's name,
// "xxxxxxxx-xxxx-8xxx-yxxx-xxxxxxxxxxxx" in lower case. Throws std::runtime_error if
// OpenSSL has no SHA-256.
std::string DeriveChannel(std::string_view sink_name);

} // namespace pgwatch_rpc::sinks
