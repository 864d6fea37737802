// The listener's in-memory key table and the authentication decision for one call. Every
// path through Authenticate hashes the password and does two constant-time compares, so the
// answer's timing says nothing about whether the name exists, is expired or is rotating.
#include "core/auth/key_cache.hpp"

#include <fnmatch.h>

namespace pgwatch_rpc::auth {

void KeyCache::Replace(std::vector<KeyEntry> entries) {
	std::unordered_map<std::string, KeyEntry> fresh;
	fresh.reserve(entries.size());
	for (KeyEntry &entry : entries) {
		std::string name = entry.name;
		fresh[std::move(name)] = std::move(entry);
	}
	entries_.swap(fresh);
}

AuthResult KeyCache::Authenticate(std::string_view username, std::string_view password, int64_t now_us,
                                  const KeyEntry **key) const {
	// A fixed dummy stands in for absent hashes; no secret hashes to it in practice, and a
	// match against it is discarded anyway.
	static const KeyHash kDummy = HashSecret("pgwatch_rpc: no such key");
	if (key != nullptr)
		*key = nullptr;

	KeyHash presented = HashSecret(password);
	auto it = entries_.find(std::string(username));
	const KeyEntry *entry = it == entries_.end() ? nullptr : &it->second;

	const KeyHash &current = entry != nullptr ? entry->hash : kDummy;
	bool previous_usable =
	    entry != nullptr && entry->previous_hash.has_value() && entry->previous_valid_until_us > now_us;
	const KeyHash &previous = previous_usable ? *entry->previous_hash : kDummy;

	// Both compares always run; combine with non-short-circuit operators.
	bool current_ok = HashesEqual(presented, current);
	bool previous_ok = HashesEqual(presented, previous);
	bool matched = (current_ok | (previous_ok & previous_usable)) & (entry != nullptr);
	if (!matched)
		return AuthResult::kUnauthenticated;
	if (entry->expires_at_us != 0 && entry->expires_at_us <= now_us)
		return AuthResult::kUnauthenticated;
	if (key != nullptr)
		*key = entry;
	return AuthResult::kOk;
}

bool KeyCache::SourceAllowed(const KeyEntry &key, std::string_view dbname) {
	if (key.source_patterns.empty())
		return true;
	// fnmatch sees C strings: a name with a NUL would be judged by its prefix only.
	if (dbname.find('\0') != std::string_view::npos)
		return false;
	std::string name(dbname);
	for (const std::string &pattern : key.source_patterns) {
		if (fnmatch(pattern.c_str(), name.c_str(), 0) == 0)
			return true;
	}
	return false;
}

} // namespace pgwatch_rpc::auth
