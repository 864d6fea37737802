// Retry-After parsing (retry_after.hpp). HTTP-dates go through curl_getdate, which knows all
// three RFC 9110 forms.
#include "core/http/retry_after.hpp"

#include "core/text/ascii.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <string>

namespace pgwatch_rpc::http {
namespace {

constexpr int64_t kMaxDelayMs = 365LL * 86400 * 1000;

// LooksLikeHttpDate: a weekday or month name and a time, so that curl_getdate's leniency
// (it also reads bare numbers and relative words) cannot turn garbage into a date.
bool LooksLikeHttpDate(std::string_view value) {
	bool letters = false, colon = false;
	for (char c : value) {
		letters = letters || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
		colon = colon || c == ':';
	}
	return letters && colon;
}

} // namespace

int64_t ParseRetryAfterMs(std::string_view value, int64_t now_unix_ms) {
	value = text::TrimBlanks(value);
	if (value.empty())
		return -1;
	if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
		int64_t seconds = 0;
		for (char c : value) {
			seconds = seconds * 10 + (c - '0');
			if (seconds * 1000 > kMaxDelayMs)
				return kMaxDelayMs;
		}
		return seconds * 1000;
	}
	if (!LooksLikeHttpDate(value) || value.size() > 64)
		return -1;
	time_t when = curl_getdate(std::string(value).c_str(), nullptr);
	if (when == -1)
		return -1;
	return std::clamp<int64_t>(static_cast<int64_t>(when) * 1000 - now_unix_ms, 0, kMaxDelayMs);
}

} // namespace pgwatch_rpc::http
