// Row ids: SHA-256 of the row's spool position and content (row_id.hpp).
#include "core/json/row_id.hpp"

#include "core/text/ascii.hpp"

#include <openssl/evp.h>

#include <charconv>
#include <stdexcept>

namespace pgwatch_rpc::json {

namespace {

void AppendDecimal(int64_t value, std::string *out) {
	char buf[24];
	auto res = std::to_chars(buf, buf + sizeof buf, value);
	out->append(buf, static_cast<size_t>(res.ptr - buf));
}

} // namespace

// The digest is fetched once and its context reused: a fresh EVP lookup per row would cost
// more than the hash of the few dozen bytes itself.
struct RowIdHasher::Digest {
	EVP_MD *md = nullptr;
	EVP_MD_CTX *ctx = nullptr;
	~Digest() {
		EVP_MD_CTX_free(ctx);
		EVP_MD_free(md);
	}
};

RowIdHasher::RowIdHasher() : digest_(new Digest) {
	digest_->md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
	digest_->ctx = EVP_MD_CTX_new();
	if (digest_->md == nullptr || digest_->ctx == nullptr)
		throw std::runtime_error("OpenSSL offers no SHA-256 digest for row ids");
}

RowIdHasher::~RowIdHasher() = default;

void RowIdHasher::Append(const sink::Record &record, const Row &row, std::string *out) {
	input_.clear();
	AppendDecimal(record.listener_id, &input_);
	input_.push_back('\0');
	AppendDecimal(record.seq, &input_);
	input_.push_back('\0');
	AppendDecimal(static_cast<int64_t>(row.index), &input_);
	input_.push_back('\0');
	input_.append(row.dbname);
	input_.push_back('\0');
	input_.append(row.metric);
	input_.push_back('\0');
	AppendDecimal(row.time_ns, &input_);

	unsigned char hash[EVP_MAX_MD_SIZE];
	unsigned int hash_len = 0;
	if (EVP_DigestInit_ex2(digest_->ctx, digest_->md, nullptr) != 1 ||
	    EVP_DigestUpdate(digest_->ctx, input_.data(), input_.size()) != 1 ||
	    EVP_DigestFinal_ex(digest_->ctx, hash, &hash_len) != 1)
		throw std::runtime_error("OpenSSL failed to compute a SHA-256 row id");
	text::AppendLowerHex(hash, hash_len, out);
}

} // namespace pgwatch_rpc::json
