// Deterministic row identifiers (SINKS.md §0.1, §2.4): the same spool row always gets the same
// id, in every sink and on every retry, so targets with an idempotency lever (Elasticsearch
// `create` with `_id`, MongoDB `_id`, a downstream dedup on row_id) do not store a retry twice.
#pragma once
#include "core/core_only.hpp"
#include "core/json/measurement_rows.hpp"
#include "core/sink/sink.hpp"

#include <memory>
#include <string>

namespace pgwatch_rpc::json {

// RowIdHasher computes row ids: 64 lowercase hex digits of SHA-256 over the UTF-8 text
//   listener_id \0 seq \0 row_index \0 dbname \0 metric \0 time_ns
// (integers in decimal; names cannot contain NUL, the wire scanner refuses it). The spool
// position (listener_id, seq, row index) makes every row unique, even when two pgwatch
// instances report the same source name at the same instant; the content (names and row
// time) keeps ids of a rebuilt spool, whose seq numbers start again, from colliding with
// documents already stored, which a target would otherwise take for retries and skip.
// One hasher per sink: it keeps an OpenSSL digest context between rows.
class RowIdHasher {
public:
	RowIdHasher(); // throws std::runtime_error if OpenSSL has no SHA-256
	~RowIdHasher();
	RowIdHasher(const RowIdHasher &) = delete;
	RowIdHasher &operator=(const RowIdHasher &) = delete;

	// Append appends the id of row (of record) to *out, without quotes.
	void Append(const sink::Record &record, const Row &row, std::string *out);

private:
	struct Digest;
	std::unique_ptr<Digest> digest_;
	std::string input_;
};

} // namespace pgwatch_rpc::json
