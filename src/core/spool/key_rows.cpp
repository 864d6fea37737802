// Key table rows → key cache entries (see key_rows.hpp).
#include "core/spool/key_rows.hpp"
#include "core/text/ascii.hpp"

#include <cstdlib>
#include <map>

namespace pgwatch_rpc::spool {

const char *const kLoadKeysSql =
    "SELECT k.name, encode(k.secret_hash, 'hex'), encode(k.previous_hash, 'hex'),"
    " (extract(epoch FROM k.previous_valid_until) * 1000000)::int8,"
    " (extract(epoch FROM k.expires_at) * 1000000)::int8, s.pattern"
    " FROM pgwatch_rpc.keys k LEFT JOIN LATERAL unnest(k.sources) AS s(pattern) ON true"
    " WHERE k.revoked_at IS NULL";

namespace {
bool ParseHash(const char *hex, auth::KeyHash *out) {
	for (size_t i = 0; i < out->size(); i++) {
		int hi = text::HexDigitValue(hex[2 * i]);
		int lo = hi < 0 ? -1 : text::HexDigitValue(hex[2 * i + 1]);
		if (lo < 0)
			return false;
		(*out)[i] = static_cast<uint8_t>(hi * 16 + lo);
	}
	return hex[2 * out->size()] == '\0';
}
} // namespace

std::vector<auth::KeyEntry> KeysFromRows(const PGresult *rows, std::string *skipped) {
	std::map<std::string, auth::KeyEntry> by_name;
	std::map<std::string, bool> bad;
	for (int r = 0; r < PQntuples(rows); r++) {
		std::string name = PQgetvalue(rows, r, 0);
		auto it = by_name.find(name);
		if (it == by_name.end() && !bad.count(name)) {
			auth::KeyEntry entry;
			entry.name = name;
			bool ok = ParseHash(PQgetvalue(rows, r, 1), &entry.hash);
			if (ok && !PQgetisnull(rows, r, 2)) {
				auth::KeyHash previous{};
				ok = ParseHash(PQgetvalue(rows, r, 2), &previous);
				entry.previous_hash = previous;
			}
			if (!ok) {
				bad[name] = true;
				if (!skipped->empty())
					*skipped += ", ";
				*skipped += name;
				continue;
			}
			if (!PQgetisnull(rows, r, 3))
				entry.previous_valid_until_us = std::strtoll(PQgetvalue(rows, r, 3), nullptr, 10);
			if (!PQgetisnull(rows, r, 4))
				entry.expires_at_us = std::strtoll(PQgetvalue(rows, r, 4), nullptr, 10);
			it = by_name.emplace(name, std::move(entry)).first;
		}
		if (it != by_name.end() && !PQgetisnull(rows, r, 5))
			it->second.source_patterns.push_back(PQgetvalue(rows, r, 5));
	}
	std::vector<auth::KeyEntry> entries;
	for (auto &[name, entry] : by_name)
		entries.push_back(std::move(entry));
	return entries;
}

} // namespace pgwatch_rpc::spool
