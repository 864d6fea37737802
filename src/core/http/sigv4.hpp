// AWS Signature Version 4 (SINKS.md §4.1) for the HTTP sinks that talk to AWS: Amazon
// OpenSearch Service (es) and Serverless (aoss) now, CloudWatch (logs, monitoring) and S3 later.
// Given a request as it goes out (method, URL, headers, the body's bytes or their SHA-256),
// credentials, region, service and the time, SignSigV4 returns the headers to add. Nothing
// sink-specific here; the HttpClient calls SigV4RequestSigner's hook after compressing the body,
// so the signature covers the bytes sent and their Content-Encoding.
//
// Canonical request rules (the AWS SigV4 documentation; @smithy/signature-v4 is the oracle of
// test/unit/sigv4_test.cpp):
// - URI: every service but S3 normalises the path ("." and empty segments dropped, ".." resolved)
//   and URI-encodes the path as sent once more, so "%20" on the wire is signed as "%2520"
//   ("double encoding"). S3 signs the path as sent: SigV4Scope::s3_path, for the S3 sink.
// - Query: each parameter percent-decoded and encoded again by AWS's rules (unreserved
//   A-Z a-z 0-9 - _ . ~ kept, everything else %XX upper case; "+" is a literal "+", so send a
//   space as %20), sorted by name then value, "=" always present.
// - Headers: names lower case, values trimmed with runs of spaces and tabs collapsed to one,
//   repeated names joined by ","; sorted. Every header given is signed but those proxies and
//   clients rewrite (User-Agent, Expect, Connection, Proxy-*, … as the AWS SDKs skip them), plus
//   host, x-amz-date, x-amz-security-token with temporary credentials, x-amz-content-sha256.
#pragma once
#include "core/core_only.hpp"
#include "core/http/client.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace pgwatch_rpc::http {

struct AwsCredentials {
	std::string access_key_id;     // "AKIA…"; appears in the Authorization header (not a secret)
	std::string secret_access_key; // only ever the start of the HMAC chain
	std::string session_token;     // temporary credentials (STS); empty for long-term keys
};

struct SigV4Scope {
	std::string region;  // "us-east-1"
	std::string service; // "es", "aoss", "logs", "monitoring", "s3"
	// S3's canonical URI: the path as sent, neither normalised nor encoded again (the caller
	// encodes object keys with AwsUriEncode). Every other service: false.
	bool s3_path = false;
	// Send and sign x-amz-content-sha256, the payload's hash: required by aoss and S3,
	// accepted by the other services.
	bool content_sha256_header = true;
};

struct SigV4Input {
	std::string_view method;
	std::string_view url;          // absolute http(s) URL as sent: path and query percent-encoded
	const HeaderList *headers;     // as sent; Host may be absent (it is taken from url then)
	std::string_view body;         // the bytes sent (after compression)
	std::string_view payload_hash; // lowercase hex SHA-256 of body, or "UNSIGNED-PAYLOAD"; "" = hash body
	int64_t unix_seconds = 0;      // the signing time (AWS refuses more than 5 minutes of skew)
};

struct SigV4Result {
	std::string error; // "" when signed; otherwise what about the request cannot be signed
	// To add to the request: Host (unless given; the value signed, so the client sends exactly
	// it), X-Amz-Date, X-Amz-Security-Token (with a session token), x-amz-content-sha256 (with
	// content_sha256_header), Authorization.
	HeaderList headers;
	// The intermediate texts, for tests and for comparing with the canonical request an AWS
	// SignatureDoesNotMatch error shows. They may hold the session token: never log them.
	std::string canonical_request;
	std::string string_to_sign;
};

// SignSigV4 signs one request. Errors: a URL that is not absolute http(s), a malformed
// percent-escape in the query, a header the signer sets itself (Authorization, X-Amz-Date,
// X-Amz-Security-Token, x-amz-content-sha256 when it adds it) already present, incomplete
// credentials or scope. Throws only if OpenSSL fails (out of memory).
SigV4Result SignSigV4(const SigV4Input &input, const AwsCredentials &credentials, const SigV4Scope &scope);

// SigV4RequestSigner: the HttpClient hook (HttpClient::SetSigner) signing every request with
// these credentials at the time `now` gives (default: the system clock, in Unix seconds).
RequestSigner SigV4RequestSigner(AwsCredentials credentials, SigV4Scope scope,
                                 std::function<int64_t()> now = nullptr);

// AwsUriEncode: AWS's URI encoding of bytes (unreserved characters kept, the rest %XX upper
// case); keep_slash leaves "/" as is (paths, S3 object keys).
std::string AwsUriEncode(std::string_view bytes, bool keep_slash);

// Sha256Hex: lowercase hex SHA-256 of bytes (SigV4's payload hash).
std::string Sha256Hex(std::string_view bytes);

// AwsCredentialsFromEnvironment reads the standard variables AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN of this process. False with *problem when they
// are absent, incomplete or malformed; *problem names the variables, never their values.
bool AwsCredentialsFromEnvironment(AwsCredentials *out, std::string *problem);

// The shapes a sink's validator checks (inline: validators are linked into the extension too,
// without the signer).

// IsAwsRegionName: "us-east-1", "us-gov-west-1", "cn-north-1", "ap-southeast-4": lower-case
// letters and digits in at least three "-"-separated parts, the first letters, the last digits.
inline bool IsAwsRegionName(std::string_view name) {
	if (name.size() > 32)
		return false;
	size_t parts = 0;
	size_t part_length = 0;
	bool part_digits = false; // the current part is all digits so far
	for (size_t i = 0; i <= name.size(); i++) {
		char c = i < name.size() ? name[i] : '-'; // a "-" after the end closes the last part
		if (c == '-') {
			if (part_length == 0)
				return false;
			parts++;
			part_length = 0;
			continue;
		}
		bool letter = c >= 'a' && c <= 'z';
		bool digit = c >= '0' && c <= '9';
		if (!(letter || digit) || (parts == 0 && !letter))
			return false;
		part_digits = (part_length == 0 || part_digits) && digit;
		part_length++;
	}
	return parts >= 3 && part_digits;
}

// IsAwsAccessKeyId: 1 to 128 upper-case letters and digits ("AKIA…", "ASIA…"; the AWS test
// suite's "AKIDEXAMPLE"). It is part of the credential scope, where "/" or spaces would break it.
inline bool IsAwsAccessKeyId(std::string_view id) {
	if (id.empty() || id.size() > 128)
		return false;
	for (char c : id)
		if (!(c >= 'A' && c <= 'Z') && !(c >= '0' && c <= '9'))
			return false;
	return true;
}

// IsAwsSecretText: a secret access key or session token: printable ASCII without spaces.
inline bool IsAwsSecretText(std::string_view text) {
	if (text.empty())
		return false;
	for (char c : text)
		if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7F)
			return false;
	return true;
}

} // namespace pgwatch_rpc::http
