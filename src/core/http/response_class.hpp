// What an HTTP outcome means for the spool (SINKS.md §0.2): delivered, worth retrying
// (nothing can be assumed delivered; back off, honour Retry-After), or permanently refused
// (dead-letter with the reason; never block the queue). Sinks with per-item results (bulk
// APIs) apply this to the request first and to each item after.
#pragma once
#include "core/core_only.hpp"
#include "core/http/client.hpp"

#include <string>

namespace pgwatch_rpc::http {

enum class Disposition { kDelivered, kRetry, kPermanent };

// ClassifyStatus: 2xx delivered; 408, 425, 429 and 5xx retry (but 501 and 505, which no
// retry changes); every other status (400, 401, 403, 404, 413…, and 1xx/3xx, since redirects
// are not followed) permanent. A sink overrides what its target documents otherwise (413:
// split the batch; Elasticsearch's per-item 409 on create: delivered).
Disposition ClassifyStatus(long status);

// Classify: a transport error is kRetry (nothing reached the target for sure), otherwise
// ClassifyStatus.
Disposition Classify(const Response &response);

// DescribeResponse: one log-safe line for last_error and the dead letters, e.g.
// "HTTP 400 from https://es:9200/_bulk: {\"error\":…" (the start of the body, valid UTF-8,
// control characters as spaces) or the transport error. Redact known secrets in it with a
// SecretRedactor if the target may echo them.
std::string DescribeResponse(const Request &request, const Response &response);

} // namespace pgwatch_rpc::http
