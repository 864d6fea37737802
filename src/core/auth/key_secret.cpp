// API key secrets: generation from OpenSSL's CSPRNG, SHA-256 hashing, fingerprints and the
// constant-time comparison the listener uses. No secret is ever logged from here.
#include "core/auth/key_secret.hpp"

#include "core/text/ascii.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <stdexcept>

namespace pgwatch_rpc::auth {

namespace {

constexpr size_t kSecretBytes = 32;
constexpr char kBase64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::string_view kFingerprintPrefix = "pgwatch_rpc fingerprint:";

// Base64UrlNoPadding: RFC 4648 §5 alphabet without '=' so the secret needs no escaping in
// a URI's user info (pgwatch's sink URI carries it there).
std::string Base64UrlNoPadding(const uint8_t *data, size_t len) {
	std::string out;
	out.reserve((len * 4 + 2) / 3);
	size_t i = 0;
	for (; i + 3 <= len; i += 3) {
		uint32_t v = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8) | data[i + 2];
		out += kBase64Url[(v >> 18) & 63];
		out += kBase64Url[(v >> 12) & 63];
		out += kBase64Url[(v >> 6) & 63];
		out += kBase64Url[v & 63];
	}
	if (len - i == 1) {
		uint32_t v = uint32_t{data[i]} << 16;
		out += kBase64Url[(v >> 18) & 63];
		out += kBase64Url[(v >> 12) & 63];
	} else if (len - i == 2) {
		uint32_t v = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8);
		out += kBase64Url[(v >> 18) & 63];
		out += kBase64Url[(v >> 12) & 63];
		out += kBase64Url[(v >> 6) & 63];
	}
	return out;
}

// Sha256 of the concatenation of two byte strings (the second may be empty).
KeyHash Sha256(std::string_view first, std::string_view second) {
	KeyHash digest{};
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int digest_len = 0;
	bool ok = ctx != nullptr && EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) == 1 &&
	          EVP_DigestUpdate(ctx, first.data(), first.size()) == 1 &&
	          EVP_DigestUpdate(ctx, second.data(), second.size()) == 1 &&
	          EVP_DigestFinal_ex(ctx, digest.data(), &digest_len) == 1 && digest_len == digest.size();
	EVP_MD_CTX_free(ctx);
	if (!ok)
		throw std::runtime_error("SHA-256 computation failed in OpenSSL");
	return digest;
}

} // namespace

std::string NewSecret() {
	uint8_t bytes[kSecretBytes];
	if (RAND_bytes(bytes, sizeof bytes) != 1)
		throw std::runtime_error("OpenSSL's random generator failed; no key secret was created");
	std::string secret = Base64UrlNoPadding(bytes, sizeof bytes);
	OPENSSL_cleanse(bytes, sizeof bytes);
	return secret;
}

KeyHash HashSecret(std::string_view secret) {
	return Sha256(secret, {});
}

std::string Fingerprint(std::string_view secret) {
	KeyHash digest = Sha256(kFingerprintPrefix, secret);
	std::string out;
	text::AppendLowerHex(digest.data(), 8, &out);
	return out;
}

bool HashesEqual(const KeyHash &a, const KeyHash &b) {
	return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

} // namespace pgwatch_rpc::auth
