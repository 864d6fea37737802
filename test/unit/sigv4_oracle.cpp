// Running test/interop/node/sigv4_sign.js (sigv4_oracle.hpp) through node_reference.hpp.
#include "sigv4_oracle.hpp"

#include "core/http/credentials.hpp"
#include "core/http/header_rules.hpp"
#include "node_reference.hpp"

#include <algorithm>
#include <stdexcept>

namespace pgwatch_rpc::http_test {

std::string SigV4OracleMissing() {
	if (!node_test::NodeModuleInstalled("@smithy/signature-v4") ||
	    !node_test::NodeModuleInstalled("@aws-crypto/sha256-js"))
		return "the SigV4 oracle needs npm ci in test/interop/node (@smithy/signature-v4, "
		       "@aws-crypto/sha256-js)";
	return "";
}

nlohmann::json RunSigV4Oracle(const nlohmann::json &requests) {
	std::string output;
	if (node_test::RunNodeScript("sigv4_sign.js", {}, requests, &output) != 0)
		throw std::runtime_error("sigv4_sign.js failed: " + output);
	return nlohmann::json::parse(output);
}

nlohmann::json OracleRequestFor(const std::string &method, const std::string &url,
                                const http::HeaderList &received, const std::string &body,
                                const http::AwsCredentials &credentials, const http::SigV4Scope &scope,
                                int64_t unix_seconds) {
	std::string authorization(http::FindHeader(received, "Authorization").value_or(""));
	size_t start = authorization.find("SignedHeaders=");
	if (start == std::string::npos)
		throw std::runtime_error("the request has no SigV4 Authorization: " + authorization);
	start += 14;
	std::string names = authorization.substr(start, authorization.find(',', start) - start);
	nlohmann::json headers = nlohmann::json::array();
	bool content_sha256 = false;
	for (size_t pos = 0; pos <= names.size();) {
		size_t end = std::min(names.find(';', pos), names.size());
		std::string name = names.substr(pos, end - pos);
		pos = end + 1;
		content_sha256 = content_sha256 || name == "x-amz-content-sha256";
		if (name == "x-amz-date" || name == "x-amz-security-token" || name == "x-amz-content-sha256")
			continue;
		headers.push_back({name, std::string(http::FindHeader(received, name).value_or(""))});
	}
	return {{"method", method},
	        {"url", url},
	        {"headers", headers},
	        {"body_base64", http::Base64(body)},
	        {"access_key_id", credentials.access_key_id},
	        {"secret_access_key", credentials.secret_access_key},
	        {"session_token", credentials.session_token},
	        {"region", scope.region},
	        {"service", scope.service},
	        {"time", unix_seconds},
	        {"uri_escape_path", !scope.s3_path},
	        {"content_sha256_header", content_sha256}};
}

} // namespace pgwatch_rpc::http_test
