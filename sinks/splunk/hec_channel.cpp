// Channel GUIDs from sink names (hec_channel.hpp).
#include "sinks/splunk/hec_channel.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace pgwatch_rpc::sinks {

std::string DeriveChannel(std::string_view sink_name) {
	// A prefix of our own keeps these GUIDs apart from other name-based ones.
	std::string input = "pgwatch_rpc HEC channel\n";
	input.append(sink_name);
	unsigned char hash[EVP_MAX_MD_SIZE];
	unsigned int size = 0;
	if (EVP_Digest(input.data(), input.size(), hash, &size, EVP_sha256(), nullptr) != 1 || size < 16)
		throw std::runtime_error("OpenSSL failed to compute SHA-256 for the HEC channel");
	hash[6] = static_cast<unsigned char>((hash[6] & 0x0F) | 0x80); // version 8
	hash[8] = static_cast<unsigned char>((hash[8] & 0x3F) | 0x80); // variant 10
	static constexpr char kHex[] = "0123456789abcdef";
	std::string guid;
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			guid.push_back('-');
		guid.push_back(kHex[hash[i] >> 4]);
		guid.push_back(kHex[hash[i] & 0x0F]);
	}
	return guid;
}

} // namespace pgwatch_rpc::sinks
