// gzip request bodies with zlib (gzip.hpp).
#include "core/http/gzip.hpp"

#include <zlib.h>

#include <algorithm>
#include <stdexcept>

namespace pgwatch_rpc::http {
namespace {

// Level 1: measurement JSON already shrinks several times at the fastest level, and higher
// levels cost several times the CPU of producing the JSON in the first place.
constexpr int kLevel = Z_BEST_SPEED;
constexpr int kGzipWindowBits = 15 + 16; // 32 KiB window, gzip header and trailer
constexpr int kMemLevel = 8;
constexpr size_t kMaxChunk = 1u << 30; // avail_in/avail_out are 32-bit

} // namespace

void GzipCompress(std::string_view data, std::string *out) {
	z_stream zs{};
	if (deflateInit2(&zs, kLevel, Z_DEFLATED, kGzipWindowBits, kMemLevel, Z_DEFAULT_STRATEGY) != Z_OK)
		throw std::runtime_error("zlib could not start a gzip stream (out of memory?)");
	out->resize(deflateBound(&zs, static_cast<uLong>(std::min(data.size(), kMaxChunk))) + 64);
	const auto *in = reinterpret_cast<const Bytef *>(data.data());
	size_t in_left = data.size(), produced = 0;
	int rc = Z_OK;
	while (rc != Z_STREAM_END) {
		if (zs.avail_in == 0 && in_left > 0) {
			zs.next_in = const_cast<Bytef *>(in);
			zs.avail_in = static_cast<uInt>(std::min(in_left, kMaxChunk));
			in += zs.avail_in;
			in_left -= zs.avail_in;
		}
		if (produced == out->size())
			out->resize(out->size() * 2);
		zs.next_out = reinterpret_cast<Bytef *>(&(*out)[produced]);
		zs.avail_out = static_cast<uInt>(std::min(out->size() - produced, kMaxChunk));
		uInt before = zs.avail_out;
		rc = deflate(&zs, in_left == 0 ? Z_FINISH : Z_NO_FLUSH);
		produced += before - zs.avail_out;
		if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
			deflateEnd(&zs);
			throw std::runtime_error("zlib failed to gzip a request body");
		}
	}
	deflateEnd(&zs);
	out->resize(produced);
}

} // namespace pgwatch_rpc::http
