// libFuzzer target: the unary gRPC message reader. The first input byte chooses the
// encoding and the chunk size; the rest is DATA. The reader must never hold more than the
// limit, whatever prefix lengths and compressed streams it is fed.
#include "core/grpc/framing.hpp"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	using namespace pgwatch_rpc::grpc;
	if (size < 1)
		return 0;
	constexpr size_t kMax = 4096;
	static const MessageEncoding kEncodings[] = {MessageEncoding::kIdentity, MessageEncoding::kGzip,
	                                             MessageEncoding::kDeflate};
	UnaryMessageReader reader(kMax, kEncodings[data[0] % 3]);
	size_t chunk = 1 + (data[0] >> 2);
	data++;
	size--;
	CallStatus status;
	for (size_t at = 0; at < size && status.ok(); at += chunk) {
		size_t n = size - at < chunk ? size - at : chunk;
		status = reader.Feed(data + at, n);
		if (reader.message().size() > kMax + 1)
			abort();
	}
	if (status.ok())
		status = reader.Finish();
	if (status.ok() && reader.message().size() > kMax)
		abort();
	return 0;
}
