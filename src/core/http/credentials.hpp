// Credentials as request header values (SINKS.md: Basic, Bearer, API keys). They come from a
// sink's secrets; redact.hpp keeps them out of the logs.
#pragma once
#include "core/core_only.hpp"

#include <string>
#include <string_view>

namespace pgwatch_rpc::http {

// BasicAuthorization: "Basic " + base64(user ":" password), the Authorization value.
std::string BasicAuthorization(std::string_view user, std::string_view password);

// BearerAuthorization: "Bearer " + token.
std::string BearerAuthorization(std::string_view token);

// Base64: standard padded base64 (Elasticsearch's ApiKey is base64 of "id:key").
std::string Base64(std::string_view bytes);

} // namespace pgwatch_rpc::http
