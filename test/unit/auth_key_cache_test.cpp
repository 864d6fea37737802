// KeyCache: authentication outcomes (right, wrong, unknown, empty, expired, rotating) and
// allowed-source globs.
#include "core/auth/key_cache.hpp"

#include <gtest/gtest.h>

namespace pgwatch_rpc::auth {
namespace {

constexpr int64_t kNow = 1'700'000'000'000'000;

KeyEntry Entry(const std::string &name, const std::string &secret) {
	KeyEntry entry;
	entry.name = name;
	entry.hash = HashSecret(secret);
	return entry;
}

class AuthKeyCache : public ::testing::Test {
protected:
	void SetUp() override {
		std::vector<KeyEntry> entries;
		entries.push_back(Entry("default", "s3cret"));
		KeyEntry expired = Entry("old", "gone");
		expired.expires_at_us = kNow;
		entries.push_back(expired);
		KeyEntry later = Entry("later", "fine");
		later.expires_at_us = kNow + 1;
		entries.push_back(later);
		KeyEntry rotating = Entry("rotating", "new-secret");
		rotating.previous_hash = HashSecret("old-secret");
		rotating.previous_valid_until_us = kNow + 1'000'000;
		entries.push_back(rotating);
		cache_.Replace(std::move(entries));
	}
	AuthResult Auth(std::string_view user, std::string_view password, int64_t now = kNow) {
		return cache_.Authenticate(user, password, now, &key_);
	}
	KeyCache cache_;
	const KeyEntry *key_ = nullptr;
};

TEST_F(AuthKeyCache, RightSecret) {
	EXPECT_EQ(Auth("default", "s3cret"), AuthResult::kOk);
	ASSERT_NE(key_, nullptr);
	EXPECT_EQ(key_->name, "default");
	EXPECT_EQ(cache_.size(), 4u);
}

TEST_F(AuthKeyCache, WrongSecretUnknownNameAndEmptyValuesAllFailAlike) {
	EXPECT_EQ(Auth("default", "s3cret "), AuthResult::kUnauthenticated);
	EXPECT_EQ(key_, nullptr);
	EXPECT_EQ(Auth("nobody", "s3cret"), AuthResult::kUnauthenticated);
	EXPECT_EQ(Auth("", "s3cret"), AuthResult::kUnauthenticated);
	EXPECT_EQ(Auth("default", ""), AuthResult::kUnauthenticated);
	EXPECT_EQ(Auth("", ""), AuthResult::kUnauthenticated);
	EXPECT_EQ(Auth(std::string_view("default\0x", 9), "s3cret"), AuthResult::kUnauthenticated);
}

TEST_F(AuthKeyCache, KeyPointerIsOptional) {
	EXPECT_EQ(cache_.Authenticate("default", "s3cret", kNow, nullptr), AuthResult::kOk);
	EXPECT_EQ(cache_.Authenticate("default", "x", kNow, nullptr), AuthResult::kUnauthenticated);
}

TEST_F(AuthKeyCache, EmptySecretIsAnOrdinaryValue) {
	cache_.Replace({Entry("blank", "")});
	EXPECT_EQ(Auth("blank", ""), AuthResult::kOk);
	EXPECT_EQ(Auth("blank", "x"), AuthResult::kUnauthenticated);
}

TEST_F(AuthKeyCache, ExpiryIsInclusive) {
	EXPECT_EQ(Auth("old", "gone"), AuthResult::kUnauthenticated);
	EXPECT_EQ(Auth("old", "gone", kNow - 1), AuthResult::kOk);
	EXPECT_EQ(Auth("later", "fine"), AuthResult::kOk);
	EXPECT_EQ(Auth("later", "fine", kNow + 1), AuthResult::kUnauthenticated);
}

TEST_F(AuthKeyCache, PreviousSecretOnlyDuringGrace) {
	EXPECT_EQ(Auth("rotating", "new-secret"), AuthResult::kOk);
	EXPECT_EQ(Auth("rotating", "old-secret"), AuthResult::kOk);
	EXPECT_EQ(Auth("rotating", "old-secret", kNow + 999'999), AuthResult::kOk);
	EXPECT_EQ(Auth("rotating", "old-secret", kNow + 1'000'000), AuthResult::kUnauthenticated);
	EXPECT_EQ(Auth("rotating", "new-secret", kNow + 1'000'000), AuthResult::kOk);
}

TEST_F(AuthKeyCache, PreviousSecretIgnoredWithoutDeadline) {
	KeyEntry entry = Entry("k", "new");
	entry.previous_hash = HashSecret("old");
	cache_.Replace({entry});
	EXPECT_EQ(Auth("k", "old"), AuthResult::kUnauthenticated);
	EXPECT_EQ(Auth("k", "new"), AuthResult::kOk);
}

TEST_F(AuthKeyCache, ReplaceDropsRevokedKeys) {
	cache_.Replace({Entry("other", "x")});
	EXPECT_EQ(Auth("default", "s3cret"), AuthResult::kUnauthenticated);
	EXPECT_EQ(Auth("other", "x"), AuthResult::kOk);
	cache_.Replace({});
	EXPECT_EQ(cache_.size(), 0u);
	EXPECT_EQ(Auth("other", "x"), AuthResult::kUnauthenticated);
}

TEST(AuthSourceAllowed, EmptyPatternsAllowEverything) {
	KeyEntry key;
	EXPECT_TRUE(KeyCache::SourceAllowed(key, "anything"));
	EXPECT_TRUE(KeyCache::SourceAllowed(key, ""));
}

TEST(AuthSourceAllowed, Globs) {
	KeyEntry key;
	key.source_patterns = {"prod-*", "stage-db?", "exact"};
	EXPECT_TRUE(KeyCache::SourceAllowed(key, "prod-eu1"));
	EXPECT_TRUE(KeyCache::SourceAllowed(key, "prod-"));
	EXPECT_TRUE(KeyCache::SourceAllowed(key, "prod-a/b.c"));
	EXPECT_TRUE(KeyCache::SourceAllowed(key, "stage-db1"));
	EXPECT_FALSE(KeyCache::SourceAllowed(key, "stage-db12"));
	EXPECT_TRUE(KeyCache::SourceAllowed(key, "exact"));
	EXPECT_FALSE(KeyCache::SourceAllowed(key, "exactly"));
	EXPECT_FALSE(KeyCache::SourceAllowed(key, "dev-1"));
	EXPECT_FALSE(KeyCache::SourceAllowed(key, ""));
}

TEST(AuthSourceAllowed, NulInNameNeverMatchesByPrefix) {
	KeyEntry key;
	key.source_patterns = {"prod*"};
	EXPECT_FALSE(KeyCache::SourceAllowed(key, std::string_view("prod\0evil", 9)));
}

TEST(AuthSourceAllowed, BracketClasses) {
	KeyEntry key;
	key.source_patterns = {"db[0-9]"};
	EXPECT_TRUE(KeyCache::SourceAllowed(key, "db7"));
	EXPECT_FALSE(KeyCache::SourceAllowed(key, "dbx"));
}

} // namespace
} // namespace pgwatch_rpc::auth
