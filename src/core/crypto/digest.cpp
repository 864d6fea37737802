// SHA-256 and HMAC-SHA256 (digest.hpp).
#include "core/crypto/digest.hpp"

#include "core/text/ascii.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

namespace pgwatch_rpc::crypto {

std::string Sha256(std::string_view data) {
	unsigned char hash[EVP_MAX_MD_SIZE];
	unsigned int size = 0;
	if (EVP_Digest(data.data(), data.size(), hash, &size, EVP_sha256(), nullptr) != 1)
		throw std::runtime_error("OpenSSL failed to compute a SHA-256 digest");
	return std::string(reinterpret_cast<const char *>(hash), size);
}

std::string HmacSha256(std::string_view key, std::string_view data) {
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int size = 0;
	if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
	         reinterpret_cast<const unsigned char *>(data.data()), data.size(), mac, &size) == nullptr)
		throw std::runtime_error("OpenSSL failed to compute an HMAC-SHA256");
	return std::string(reinterpret_cast<const char *>(mac), size);
}

std::string LowerHex(std::string_view bytes) {
	std::string out;
	out.reserve(bytes.size() * 2);
	text::AppendLowerHex(reinterpret_cast<const unsigned char *>(bytes.data()), bytes.size(), &out);
	return out;
}

} // namespace pgwatch_rpc::crypto
