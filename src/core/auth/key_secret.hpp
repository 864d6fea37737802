// API key secrets (DESIGN.md §5, §6): 256 random bits, shown once, stored only as SHA-256.
// The SQL side stores sha256(secret) computed by PostgreSQL's sha256(); the listener hashes
// what the client sent the same way and compares in constant time.
#pragma once
#include "core/core_only.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace pgwatch_rpc::auth {

using KeyHash = std::array<uint8_t, 32>;

// NewSecret returns 43 characters of base64url (32 random bytes from OpenSSL's CSPRNG):
// safe inside a grpc:// URI's user info without escaping. Throws std::runtime_error if the
// random generator fails.
std::string NewSecret();

// HashSecret is SHA-256 of the secret's bytes.
KeyHash HashSecret(std::string_view secret);

// Fingerprint: first 16 hex digits of SHA-256("pgwatch_rpc fingerprint:" || secret). Shown in
// views and logs to tell keys apart; it reveals neither the secret nor the stored hash.
std::string Fingerprint(std::string_view secret);

// HashesEqual compares in constant time (CRYPTO_memcmp).
bool HashesEqual(const KeyHash &a, const KeyHash &b);

} // namespace pgwatch_rpc::auth
