// Authorization header values (credentials.hpp).
#include "core/http/credentials.hpp"

#include "core/grpc/metadata.hpp"

namespace pgwatch_rpc::http {

std::string Base64(std::string_view bytes) {
	return grpc::EncodeBinaryValue(bytes); // gRPC's -bin metadata uses the same padded standard base64
}

std::string BasicAuthorization(std::string_view user, std::string_view password) {
	std::string pair;
	pair.reserve(user.size() + 1 + password.size());
	pair.append(user).append(":").append(password);
	return "Basic " + Base64(pair);
}

std::string BearerAuthorization(std::string_view token) {
	return "Bearer " + std::string(token);
}

} // namespace pgwatch_rpc::http
