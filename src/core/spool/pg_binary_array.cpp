// PostgreSQL binary array encoding (see pg_binary_array.hpp).
#include "core/spool/pg_binary_array.hpp"

namespace pgwatch_rpc::spool {

void AppendInt32BE(std::string *out, uint32_t value) {
	char bytes[4] = {static_cast<char>(value >> 24), static_cast<char>(value >> 16),
	                 static_cast<char>(value >> 8), static_cast<char>(value)};
	out->append(bytes, 4);
}

void AppendInt64BE(std::string *out, uint64_t value) {
	AppendInt32BE(out, static_cast<uint32_t>(value >> 32));
	AppendInt32BE(out, static_cast<uint32_t>(value));
}

void BinaryArrayBuilder::AddInt4(int32_t value) {
	AppendInt32BE(&buffer_, 4);
	AppendInt32BE(&buffer_, static_cast<uint32_t>(value));
	count_++;
}

void BinaryArrayBuilder::AddInt8(int64_t value) {
	AppendInt32BE(&buffer_, 8);
	AppendInt64BE(&buffer_, static_cast<uint64_t>(value));
	count_++;
}

void BinaryArrayBuilder::AddBytes(std::string_view value) {
	AppendInt32BE(&buffer_, static_cast<uint32_t>(value.size()));
	buffer_.append(value.data(), value.size());
	count_++;
}

std::string BinaryArrayBuilder::Finish() {
	std::string header;
	// An empty array is sent with zero dimensions, as array_send does.
	AppendInt32BE(&header, count_ == 0 ? 0 : 1); // ndim
	AppendInt32BE(&header, 0);                   // has_nulls
	AppendInt32BE(&header, element_oid_);
	std::string out;
	if (count_ == 0) {
		out = std::move(header);
	} else {
		AppendInt32BE(&header, static_cast<uint32_t>(count_)); // dimension size
		AppendInt32BE(&header, 1);                             // lower bound
		buffer_.replace(0, kHeaderBytes, header);
		out = std::move(buffer_);
	}
	buffer_.assign(kHeaderBytes, '\0');
	count_ = 0;
	return out;
}

} // namespace pgwatch_rpc::spool
