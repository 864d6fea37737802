// Status classification and failure texts (response_class.hpp).
#include "core/http/response_class.hpp"

#include "core/http/redact.hpp"
#include "core/wire/utf8.hpp"

namespace pgwatch_rpc::http {
namespace {

constexpr size_t kBodyExcerptBytes = 300;

} // namespace

Disposition ClassifyStatus(long status) {
	if (status >= 200 && status < 300)
		return Disposition::kDelivered;
	if (status == 408 || status == 425 || status == 429)
		return Disposition::kRetry;
	if (status >= 500 && status < 600 && status != 501 && status != 505)
		return Disposition::kRetry;
	return Disposition::kPermanent;
}

Disposition Classify(const Response &response) {
	if (response.transport != TransportError::kNone)
		return Disposition::kRetry;
	return ClassifyStatus(response.status);
}

std::string DescribeResponse(const Request &request, const Response &response) {
	if (response.transport != TransportError::kNone)
		return response.error;
	std::string text = "HTTP " + std::to_string(response.status) + " from " + RedactUrl(request.url);
	if (response.body.empty())
		return text;
	text += ": ";
	size_t excerpt = wire::Utf8PrefixLength(response.body, kBodyExcerptBytes);
	size_t start = text.size();
	wire::AppendUtf8Sanitized(std::string_view(response.body).substr(0, excerpt), &text);
	for (size_t i = start; i < text.size(); i++)
		if (static_cast<unsigned char>(text[i]) < 0x20 || text[i] == 0x7F)
			text[i] = ' ';
	if (excerpt < response.body.size())
		text += "…";
	return text;
}

} // namespace pgwatch_rpc::http
