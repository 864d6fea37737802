// AWS Signature Version 4 (sigv4.hpp) on core/crypto's SHA-256 and HMAC-SHA256.
#include "core/http/sigv4.hpp"

#include "core/crypto/digest.hpp"
#include "core/http/header_rules.hpp"
#include "core/text/ascii.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <map>
#include <stdexcept>
#include <utility>
#include <vector>

namespace pgwatch_rpc::http {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

// Headers the AWS SDKs never sign: proxies and HTTP stacks add, drop or rewrite them.
constexpr std::string_view kUnsignable[] = {
    "cache-control", "connection",     "expect", "from",    "keep-alive",        "max-forwards",
    "pragma",        "referer",        "te",     "trailer", "transfer-encoding", "upgrade",
    "user-agent",    "x-amzn-trace-id"};

std::string Lower(std::string_view text) {
	std::string out(text);
	for (char &c : out)
		c = text::AsciiLower(c);
	return out;
}

// PercentDecode: false on a "%" not followed by two hex digits. "+" stays "+".
bool PercentDecode(std::string_view text, std::string *out) {
	out->clear();
	for (size_t i = 0; i < text.size(); i++) {
		if (text[i] != '%') {
			out->push_back(text[i]);
			continue;
		}
		if (i + 2 >= text.size())
			return false;
		int high = text::HexDigitValue(text[i + 1]);
		int low = text::HexDigitValue(text[i + 2]);
		if (high < 0 || low < 0)
			return false;
		out->push_back(static_cast<char>(high * 16 + low));
		i += 2;
	}
	return true;
}

// UrlParts: the pieces of an absolute URL the canonical request needs.
struct UrlParts {
	std::string host; // the Host header's value: authority without user info and default port
	std::string_view path;
	std::string_view query;
};

bool SplitUrl(std::string_view url, UrlParts *out, std::string *error) {
	std::string_view default_port;
	std::string_view rest;
	if (url.substr(0, 7) == "http://") {
		rest = url.substr(7);
		default_port = ":80";
	} else if (url.substr(0, 8) == "https://") {
		rest = url.substr(8);
		default_port = ":443";
	} else {
		*error = "the URL must start with http:// or https://";
		return false;
	}
	rest = rest.substr(0, rest.find('#'));
	size_t authority_end = rest.find_first_of("/?");
	std::string_view authority = rest.substr(0, authority_end);
	if (size_t at = authority.rfind('@'); at != std::string_view::npos)
		authority.remove_prefix(at + 1);
	// libcurl's Host leaves out a default port too; the signer's Host is sent anyway.
	if (authority.size() > default_port.size() &&
	    authority.substr(authority.size() - default_port.size()) == default_port)
		authority.remove_suffix(default_port.size());
	if (authority.empty()) {
		*error = "the URL has no host";
		return false;
	}
	out->host = std::string(authority);
	std::string_view target = authority_end == std::string_view::npos ? "" : rest.substr(authority_end);
	size_t question = target.find('?');
	out->path = target.substr(0, question);
	out->query = question == std::string_view::npos ? "" : target.substr(question + 1);
	if (out->path.empty())
		out->path = "/";
	return true;
}

// CanonicalUri: see sigv4.hpp. The normalisation follows the AWS SDKs: empty and "."
// segments dropped, ".." removes the segment before it, leading and trailing "/" kept.
std::string CanonicalUri(std::string_view path, bool s3_path) {
	if (s3_path)
		return std::string(path);
	std::vector<std::string_view> segments;
	for (size_t start = 0; start <= path.size();) {
		size_t end = std::min(path.find('/', start), path.size());
		std::string_view segment = path.substr(start, end - start);
		if (segment == "..") {
			if (!segments.empty())
				segments.pop_back();
		} else if (!segment.empty() && segment != ".") {
			segments.push_back(segment);
		}
		start = end + 1;
	}
	std::string normalized = path.front() == '/' ? "/" : "";
	for (size_t i = 0; i < segments.size(); i++)
		normalized.append(i == 0 ? "" : "/").append(segments[i]);
	if (!segments.empty() && path.back() == '/')
		normalized.push_back('/');
	return AwsUriEncode(normalized, true);
}

bool CanonicalQuery(std::string_view query, std::string *out, std::string *error) {
	std::vector<std::pair<std::string, std::string>> params;
	std::string decoded;
	for (size_t start = 0; start <= query.size();) {
		size_t end = std::min(query.find('&', start), query.size());
		std::string_view param = query.substr(start, end - start);
		start = end + 1;
		if (param.empty())
			continue;
		size_t equals = param.find('=');
		std::string_view name = param.substr(0, equals);
		std::string_view value = equals == std::string_view::npos ? "" : param.substr(equals + 1);
		std::pair<std::string, std::string> encoded;
		bool ok = PercentDecode(name, &decoded);
		encoded.first = AwsUriEncode(decoded, false);
		ok = ok && PercentDecode(value, &decoded);
		encoded.second = AwsUriEncode(decoded, false);
		if (!ok) {
			*error = "the query parameter \"" + std::string(name) + "\" has a malformed percent-escape";
			return false;
		}
		params.push_back(std::move(encoded));
	}
	std::sort(params.begin(), params.end());
	out->clear();
	for (const auto &param : params)
		out->append(out->empty() ? "" : "&").append(param.first).append("=").append(param.second);
	return true;
}

// CanonicalValue: trimmed, runs of spaces and tabs as one space.
std::string CanonicalValue(std::string_view value) {
	std::string out;
	for (char c : text::TrimBlanks(value)) {
		bool blank = c == ' ' || c == '\t';
		if (blank && !out.empty() && out.back() == ' ')
			continue;
		out.push_back(blank ? ' ' : c);
	}
	return out;
}

bool IsUnsignable(const std::string &name) {
	if (name.compare(0, 6, "proxy-") == 0 || name.compare(0, 4, "sec-") == 0)
		return true;
	return std::find(std::begin(kUnsignable), std::end(kUnsignable), name) != std::end(kUnsignable);
}

std::string AmzDate(int64_t unix_seconds) {
	std::time_t t = static_cast<std::time_t>(unix_seconds);
	std::tm tm{};
	char text[32];
	if (gmtime_r(&t, &tm) == nullptr || std::strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", &tm) != 16)
		return "";
	return text;
}

bool IsScopePart(std::string_view part) {
	if (part.empty())
		return false;
	for (char c : part)
		if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') && c != '-')
			return false;
	return true;
}

std::string InputProblem(const SigV4Input &input, const AwsCredentials &credentials,
                         const SigV4Scope &scope) {
	if (!IsAwsAccessKeyId(credentials.access_key_id))
		return "the access key id must be upper-case letters and digits";
	if (!IsAwsSecretText(credentials.secret_access_key))
		return "the secret access key is empty or has spaces or control characters";
	if (!credentials.session_token.empty() && !IsAwsSecretText(credentials.session_token))
		return "the session token has spaces or control characters";
	if (!IsScopePart(scope.region) || !IsScopePart(scope.service))
		return "the region and the service must be lower-case names such as us-east-1 and es";
	if (input.method.empty() || input.headers == nullptr)
		return "the request has no method or no header list";
	return "";
}

} // namespace

std::string AwsUriEncode(std::string_view bytes, bool keep_slash) {
	static constexpr char kHex[] = "0123456789ABCDEF";
	std::string out;
	out.reserve(bytes.size());
	for (char c : bytes) {
		bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		                  c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/');
		if (unreserved) {
			out.push_back(c);
			continue;
		}
		unsigned char u = static_cast<unsigned char>(c);
		out.push_back('%');
		out.push_back(kHex[u >> 4]);
		out.push_back(kHex[u & 15]);
	}
	return out;
}

std::string Sha256Hex(std::string_view bytes) {
	return crypto::LowerHex(crypto::Sha256(bytes));
}

SigV4Result SignSigV4(const SigV4Input &input, const AwsCredentials &credentials, const SigV4Scope &scope) {
	SigV4Result result;
	result.error = InputProblem(input, credentials, scope);
	UrlParts url;
	std::string query;
	if (!result.error.empty() || !SplitUrl(input.url, &url, &result.error) ||
	    !CanonicalQuery(url.query, &query, &result.error))
		return result;
	std::string amz_date = AmzDate(input.unix_seconds);
	if (amz_date.empty()) {
		result.error = "the signing time is out of range";
		return result;
	}
	std::string payload_hash =
	    input.payload_hash.empty() ? Sha256Hex(input.body) : std::string(input.payload_hash);

	// The signer's own headers are added here; one already present would be sent twice.
	std::vector<std::pair<std::string_view, std::string>> own = {{"X-Amz-Date", amz_date}};
	if (!credentials.session_token.empty())
		own.emplace_back("X-Amz-Security-Token", credentials.session_token);
	if (scope.content_sha256_header)
		own.emplace_back("x-amz-content-sha256", payload_hash);
	std::map<std::string, std::string> canonical; // lower-case name -> value(s)
	for (const auto &header : *input.headers) {
		std::string name = Lower(header.first);
		bool taken = name == "authorization";
		for (const auto &o : own)
			taken = taken || EqualsIgnoreCase(name, o.first);
		if (taken) {
			result.error =
			    "the request already has a " + header.first + " header, which the SigV4 signer sets";
			return result;
		}
		if (IsUnsignable(name))
			continue;
		auto [it, added] = canonical.emplace(name, CanonicalValue(header.second));
		if (!added)
			it->second.append(",").append(CanonicalValue(header.second));
	}
	if (canonical.find("host") == canonical.end()) {
		canonical.emplace("host", url.host);
		result.headers.emplace_back("Host", url.host);
	}
	for (const auto &o : own) {
		canonical.emplace(Lower(o.first), o.second);
		result.headers.emplace_back(std::string(o.first), o.second);
	}

	std::string signed_headers;
	std::string canonical_headers;
	for (const auto &[name, value] : canonical) {
		signed_headers.append(signed_headers.empty() ? "" : ";").append(name);
		canonical_headers.append(name).append(":").append(value).append("\n");
	}
	result.canonical_request = std::string(input.method) + "\n" + CanonicalUri(url.path, scope.s3_path) +
	                           "\n" + query + "\n" + canonical_headers + "\n" + signed_headers + "\n" +
	                           payload_hash;

	std::string date = amz_date.substr(0, 8);
	std::string credential_scope = date + "/" + scope.region + "/" + scope.service + "/aws4_request";
	result.string_to_sign = std::string(kAlgorithm) + "\n" + amz_date + "\n" + credential_scope + "\n" +
	                        Sha256Hex(result.canonical_request);
	std::string key = crypto::HmacSha256("AWS4" + credentials.secret_access_key, date);
	key = crypto::HmacSha256(key, scope.region);
	key = crypto::HmacSha256(key, scope.service);
	key = crypto::HmacSha256(key, "aws4_request");
	std::string signature = crypto::LowerHex(crypto::HmacSha256(key, result.string_to_sign));
	result.headers.emplace_back("Authorization", std::string(kAlgorithm) +
	                                                 " Credential=" + credentials.access_key_id + "/" +
	                                                 credential_scope + ", SignedHeaders=" + signed_headers +
	                                                 ", Signature=" + signature);
	return result;
}

RequestSigner SigV4RequestSigner(AwsCredentials credentials, SigV4Scope scope, std::function<int64_t()> now) {
	if (!now)
		now = [] {
			using namespace std::chrono;
			return static_cast<int64_t>(
			    duration_cast<seconds>(system_clock::now().time_since_epoch()).count());
		};
	return [credentials = std::move(credentials), scope = std::move(scope),
	        now = std::move(now)](const OutgoingRequest &request, HeaderList *add) {
		SigV4Input input;
		input.method = request.method;
		input.url = request.url;
		input.headers = &request.headers;
		input.body = request.body;
		input.unix_seconds = now();
		SigV4Result result = SignSigV4(input, credentials, scope);
		if (result.error.empty())
			add->insert(add->end(), result.headers.begin(), result.headers.end());
		return result.error.empty() ? "" : "SigV4: " + result.error;
	};
}

bool AwsCredentialsFromEnvironment(AwsCredentials *out, std::string *problem) {
	auto read = [](const char *name) {
		const char *value = std::getenv(name);
		return std::string(value != nullptr ? value : "");
	};
	AwsCredentials credentials{read("AWS_ACCESS_KEY_ID"), read("AWS_SECRET_ACCESS_KEY"),
	                           read("AWS_SESSION_TOKEN")};
	if (credentials.access_key_id.empty() && credentials.secret_access_key.empty())
		*problem = "neither AWS_ACCESS_KEY_ID nor AWS_SECRET_ACCESS_KEY is set";
	else if (credentials.access_key_id.empty() || credentials.secret_access_key.empty())
		*problem =
		    std::string(credentials.access_key_id.empty() ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID") +
		    " is set but " +
		    (credentials.access_key_id.empty() ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY") + " is not";
	else if (!IsAwsAccessKeyId(credentials.access_key_id))
		*problem = "AWS_ACCESS_KEY_ID is not an access key id (upper-case letters and digits)";
	else if (!IsAwsSecretText(credentials.secret_access_key))
		*problem = "AWS_SECRET_ACCESS_KEY has spaces or control characters";
	else if (!credentials.session_token.empty() && !IsAwsSecretText(credentials.session_token))
		*problem = "AWS_SESSION_TOKEN has spaces or control characters";
	else
		problem->clear();
	if (!problem->empty())
		return false;
	*out = std::move(credentials);
	return true;
}

} // namespace pgwatch_rpc::http
