// AWS's own SigV4 signer as a test oracle: test/interop/node/sigv4_sign.js (@smithy/signature-v4,
// installed by npm ci in test/interop/node) run by node on a list of requests. Used by
// sigv4_test.cpp and by the elastic sink's aws_sigv4 tests.
#pragma once

#include "core/http/sigv4.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace pgwatch_rpc::http_test {

// SigV4OracleMissing: "" when node_modules has the signer, else what to run (for GTEST_SKIP).
std::string SigV4OracleMissing();

// RunSigV4Oracle signs each request of `requests` (the input format of sigv4_sign.js) and
// returns its output: one {"authorization", "headers"} per request. Throws std::runtime_error
// with node's output if the script fails.
nlohmann::json RunSigV4Oracle(const nlohmann::json &requests);

// OracleRequestFor: the oracle's input for a request a server received (headers as received,
// body as received, still compressed): it signs the headers the received Authorization names,
// but the signer's own (x-amz-date, x-amz-security-token, x-amz-content-sha256), which AWS's
// signer sets itself from the time, the credentials and the body.
nlohmann::json OracleRequestFor(const std::string &method, const std::string &url,
                                const http::HeaderList &received, const std::string &body,
                                const http::AwsCredentials &credentials, const http::SigV4Scope &scope,
                                int64_t unix_seconds);

} // namespace pgwatch_rpc::http_test
