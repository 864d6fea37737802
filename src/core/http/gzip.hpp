// gzip (RFC 1952) for request bodies sent with Content-Encoding: gzip.
#pragma once
#include "core/core_only.hpp"

#include <string>
#include <string_view>

namespace pgwatch_rpc::http {

// GzipCompress replaces *out with the gzip form of data. Throws std::runtime_error if zlib
// fails (it only does when memory runs out).
void GzipCompress(std::string_view data, std::string *out);

} // namespace pgwatch_rpc::http
