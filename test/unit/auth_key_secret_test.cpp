// Key secrets: format of new secrets, SHA-256 against published vectors (the SQL side
// computes the same hash with PostgreSQL's sha256()), fingerprints and comparison.
#include "core/auth/key_secret.hpp"

#include <gtest/gtest.h>

#include <set>

namespace pgwatch_rpc::auth {
namespace {

std::string Hex(const KeyHash &hash) {
	static constexpr char kHex[] = "0123456789abcdef";
	std::string out;
	for (uint8_t b : hash) {
		out += kHex[b >> 4];
		out += kHex[b & 15];
	}
	return out;
}

TEST(AuthKeySecret, NewSecretIs43Base64UrlCharacters) {
	for (int i = 0; i < 50; i++) {
		std::string secret = NewSecret();
		ASSERT_EQ(secret.size(), 43u);
		for (char c : secret) {
			bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			          c == '-' || c == '_';
			EXPECT_TRUE(ok) << "character " << c << " in " << secret;
		}
	}
}

TEST(AuthKeySecret, NewSecretsDiffer) {
	std::set<std::string> seen;
	for (int i = 0; i < 200; i++)
		seen.insert(NewSecret());
	EXPECT_EQ(seen.size(), 200u);
}

TEST(AuthKeySecret, NewSecretUsesWholeAlphabet) {
	// 256 bits per secret: over 200 secrets every one of the 64 symbols shows up, and the
	// last symbol carries only 4 bits, so it is one of 16 values.
	std::set<char> symbols;
	std::set<char> last;
	for (int i = 0; i < 200; i++) {
		std::string secret = NewSecret();
		symbols.insert(secret.begin(), secret.end() - 1);
		last.insert(secret.back());
	}
	EXPECT_EQ(symbols.size(), 64u);
	EXPECT_LE(last.size(), 16u);
}

TEST(AuthKeySecret, HashSecretIsSha256) {
	EXPECT_EQ(Hex(HashSecret("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	EXPECT_EQ(Hex(HashSecret("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(AuthKeySecret, HashSecretCoversEmbeddedNul) {
	std::string with_nul("ab\0c", 4);
	EXPECT_NE(Hex(HashSecret(with_nul)), Hex(HashSecret("ab")));
}

TEST(AuthKeySecret, FingerprintIsPrefixedSha256) {
	// printf 'pgwatch_rpc fingerprint:abc' | sha256sum
	EXPECT_EQ(Fingerprint("abc"), "48b527d44e2d71c2");
	EXPECT_EQ(Fingerprint("abc").size(), 16u);
	EXPECT_NE(Fingerprint("abd"), Fingerprint("abc"));
}

TEST(AuthKeySecret, FingerprintRevealsNotTheStoredHash) {
	std::string secret = NewSecret();
	EXPECT_EQ(Hex(HashSecret(secret)).find(Fingerprint(secret)), std::string::npos);
}

TEST(AuthKeySecret, HashesEqual) {
	KeyHash a = HashSecret("one");
	KeyHash b = HashSecret("one");
	KeyHash c = HashSecret("two");
	EXPECT_TRUE(HashesEqual(a, b));
	EXPECT_FALSE(HashesEqual(a, c));
	KeyHash d = a;
	d[31] ^= 1;
	EXPECT_FALSE(HashesEqual(a, d));
	d = a;
	d[0] ^= 0x80;
	EXPECT_FALSE(HashesEqual(a, d));
}

} // namespace
} // namespace pgwatch_rpc::auth
