// Retry-After (RFC 9110 §10.2.3), which 429 and 503 answers may carry: the delay the server
// asks for before the next attempt (SINKS.md §0.2: wait at least that long).
#pragma once
#include "core/core_only.hpp"

#include <cstdint>
#include <string_view>

namespace pgwatch_rpc::http {

// ParseRetryAfterMs reads delay-seconds ("120") or an HTTP-date ("Wed, 21 Oct 2015 07:28:00
// GMT", and the obsolete RFC 850 and asctime forms) into milliseconds from now_unix_ms; a
// date in the past gives 0. -1 if the value is neither. Delays are capped at a year, which is
// far beyond what the delivery engine honours anyway.
int64_t ParseRetryAfterMs(std::string_view value, int64_t now_unix_ms);

} // namespace pgwatch_rpc::http
