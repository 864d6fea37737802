// Reading OpenSSL's error queue. System-library entries carry errno as their reason and no
// reason string in OpenSSL 3.0, so they are translated with strerror.
#include "core/tls/openssl_error.hpp"

#include <openssl/err.h>

#include <cstring>

namespace pgwatch_rpc::tls {

std::string TakeOpenSslReason() {
	std::string reason;
	unsigned long code;
	while ((code = ERR_get_error()) != 0) {
		if (!reason.empty())
			continue;
		if (ERR_GET_LIB(code) == ERR_LIB_SYS) {
			reason = std::strerror(ERR_GET_REASON(code));
			continue;
		}
		const char *text = ERR_reason_error_string(code);
		if (text != nullptr)
			reason = text;
	}
	return reason.empty() ? "unknown OpenSSL error" : reason;
}

} // namespace pgwatch_rpc::tls
