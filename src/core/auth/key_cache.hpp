// In-memory copy of pgwatch_rpc.keys used by the listener: no database round trip per call
// (DESIGN.md §4.1). Reloaded whole on NOTIFY; a revoked key disappears at the next reload.
#pragma once
#include "core/core_only.hpp"

#include "core/auth/key_secret.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace pgwatch_rpc::auth {

struct KeyEntry {
	std::string name;
	KeyHash hash{};
	std::optional<KeyHash> previous_hash;     // still valid during a rotation grace period
	int64_t previous_valid_until_us = 0;      // unix microseconds
	int64_t expires_at_us = 0;                // unix microseconds; 0 = never
	std::vector<std::string> source_patterns; // empty = any source; shell globs (fnmatch)
};

enum class AuthResult { kOk, kUnauthenticated, kSourceNotAllowed };

class KeyCache {
public:
	// Replace swaps in a fresh snapshot of the key table.
	void Replace(std::vector<KeyEntry> entries);

	// Authenticate checks username/password metadata at time now_us. The same answer
	// (kUnauthenticated) for an unknown name, a wrong secret, an expired key; empty strings
	// are ordinary (wrong) values. On success *key (when key is not null) points at the
	// matching entry, owned by the cache until the next Replace; otherwise it is set to null.
	AuthResult Authenticate(std::string_view username, std::string_view password, int64_t now_us,
	                        const KeyEntry **key) const;

	// SourceAllowed: whether a key may write measurements for dbname (source_patterns).
	static bool SourceAllowed(const KeyEntry &key, std::string_view dbname);

	size_t size() const { return entries_.size(); }

private:
	std::unordered_map<std::string, KeyEntry> entries_;
};

} // namespace pgwatch_rpc::auth
