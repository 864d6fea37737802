// SHA-256 and HMAC-SHA256 on OpenSSL for the sinks' request ids and signatures (webhook
// Idempotency-Key and X-Pgwatch-Signature, AWS SigV4). Raw digests; text::AppendLowerHex
// (core/text/ascii.hpp) or LowerHex for their hex form.
#pragma once
#include "core/core_only.hpp"

#include <string>
#include <string_view>

namespace pgwatch_rpc::crypto {

// Sha256 and HmacSha256 return the 32 raw digest bytes; they throw std::runtime_error only
// if OpenSSL fails (out of memory, or a FIPS provider without SHA-256).
std::string Sha256(std::string_view data);
std::string HmacSha256(std::string_view key, std::string_view data);

// LowerHex: two lowercase hex digits per byte.
std::string LowerHex(std::string_view bytes);

} // namespace pgwatch_rpc::crypto
