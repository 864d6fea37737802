// Encoders for PostgreSQL's binary send format of one-dimensional arrays (array_send in
// src/backend/utils/adt/arrayfuncs.c), used to pass a whole batch of spool rows as a few
// parameters of one INSERT … SELECT unnest(…) statement (DESIGN.md §4.2).
// Layout: int32 ndim, int32 has_nulls, uint32 element type OID, then per dimension int32 size
// and int32 lower bound; then each element as int32 length + its binary send format. All
// integers big-endian. We never send NULL elements.
#pragma once
#include "core/core_only.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pgwatch_rpc::spool {

// Type OIDs from PostgreSQL's pg_type.dat (stable across versions).
constexpr uint32_t kInt4Oid = 23;
constexpr uint32_t kInt8Oid = 20;
constexpr uint32_t kTextOid = 25;
constexpr uint32_t kByteaOid = 17;
constexpr uint32_t kInt4ArrayOid = 1007;
constexpr uint32_t kInt8ArrayOid = 1016;
constexpr uint32_t kTextArrayOid = 1009;
constexpr uint32_t kByteaArrayOid = 1001;

// BinaryArrayBuilder appends elements of one type and yields the encoded array.
class BinaryArrayBuilder {
public:
	// The header is reserved up front so Finish can hand over the buffer without copying
	// the (possibly many megabytes of) payload elements again.
	explicit BinaryArrayBuilder(uint32_t element_oid)
	    : element_oid_(element_oid), buffer_(kHeaderBytes, '\0') {}
	void AddInt4(int32_t value);
	void AddInt8(int64_t value);
	// Text and bytea elements are sent as their raw bytes (text must be valid in the
	// connection's client encoding: we always use UTF-8).
	void AddBytes(std::string_view value);
	size_t count() const { return count_; }
	// Finish returns the complete encoding (header + elements) and empties the builder.
	std::string Finish();

private:
	static constexpr size_t kHeaderBytes = 20; // ndim, has_nulls, oid, size, lower bound
	uint32_t element_oid_;
	size_t count_ = 0;
	std::string buffer_;
};

// AppendInt32BE / AppendInt64BE: network byte order, as PostgreSQL's binary formats use.
void AppendInt32BE(std::string *out, uint32_t value);
void AppendInt64BE(std::string *out, uint64_t value);

} // namespace pgwatch_rpc::spool
