// The webhook sink's delivery (see webhook_sink.hpp).
//
// What a status means here (sinks/webhook/README.md):
//   2xx                       delivered
//   408 425 429 5xx, no reply retried, honouring Retry-After (http::Classify)
//   400 413 422               the body is refused: halves are sent until the refused
//                             records are found; those are dead-lettered with the answer
//   any other (401 403 404 …) the request itself is wrong (credentials, URL, method): no
//                             record is to blame, so the batch is retried until the sink is
//                             fixed instead of dead-lettering the whole spool
#include "sinks/webhook/webhook_sink.hpp"

#include "core/crypto/digest.hpp"
#include "core/delivery/sink_context.hpp"
#include "core/http/client.hpp"
#include "core/http/credentials.hpp"
#include "core/http/redact.hpp"
#include "core/http/response_class.hpp"
#include "core/json/document.hpp"
#include "core/json/envelope_line.hpp"
#include "core/sink/registry.hpp"
#include "core/sink/waiter.hpp"
#include "sinks/webhook/webhook_kind.hpp"

#include <ctime>
#include <stdexcept>

namespace pgwatch_rpc::sinks {
namespace {

// BodyDigest: the first 16 hex digits of SHA-256 over the body.
std::string BodyDigest(std::string_view body) {
	return crypto::LowerHex(crypto::Sha256(body).substr(0, 8));
}

// Signature: the X-Pgwatch-Signature value, "sha256=" and the hex HMAC-SHA256 of
// "<timestamp>.<body>" under secret (Stripe's and GitHub's scheme: the timestamp inside the
// MAC lets a receiver refuse replays of an old request).
std::string Signature(const std::string &secret, const std::string &timestamp, std::string_view body) {
	return "sha256=" + crypto::LowerHex(crypto::HmacSha256(secret, timestamp + "." + std::string(body)));
}

bool RefusesTheBody(long status) {
	return status == 400 || status == 413 || status == 422;
}

class WebhookSink : public sink::Sink {
public:
	WebhookSink(WebhookSettings settings, const nlohmann::json &secrets, sink::Waiter &waiter)
	    : settings_(std::move(settings)), client_(settings_.http),
	      documents_(
	          json::DocumentOptions{settings_.format == WebhookFormat::kNdjson ? "\n" : ",", "row_id"}) {
		client_.SetStopCheck([&waiter] { return waiter.StopRequested(); });
		if (!settings_.password.empty())
			authorization_ = http::BasicAuthorization(settings_.username, settings_.password);
		else if (!settings_.bearer_token.empty())
			authorization_ = http::BearerAuthorization(settings_.bearer_token);
		// A target may echo the request in its error answers: none of these may reach a log.
		redactor_.Add(settings_.password);
		redactor_.Add(settings_.bearer_token);
		redactor_.Add(settings_.hmac_secret);
		redactor_.Add(authorization_);
		if (settings_.url_is_secret) {
			redactor_.Add(settings_.url);
			redactor_.Add(http::RedactUrl(settings_.url)); // the form error texts carry
		}
		if (auto headers = secrets.find("headers"); headers != secrets.end() && headers->is_object())
			for (const auto &value : *headers)
				if (value.is_string())
					redactor_.Add(value.get<std::string>());
	}

	sink::Outcome Deliver(const sink::Batch &batch) override {
		sink::Outcome outcome = sink::Outcome::Delivered();
		documents_of_.assign(batch.records.size(), std::string());
		std::vector<size_t> to_send;
		for (size_t i = 0; i < batch.records.size(); i++) {
			wire::ScanResult result = settings_.format == WebhookFormat::kPgwatchEnvelope
			                              ? json::AppendEnvelopeLine(batch.records[i], &documents_of_[i])
			                              : documents_.AppendRecord(batch.records[i], &documents_of_[i]);
			if (!result.ok())
				outcome.rejected.push_back({i, result.message});
			else if (!documents_of_[i].empty())
				to_send.push_back(i);
		}
		Send(batch, to_send, &outcome);
		return outcome;
	}

private:
	// Send delivers the records `indices` (in batch order), splitting on a refused body. False
	// with *outcome set to a retry when the webhook cannot take them now.
	bool Send(const sink::Batch &batch, const std::vector<size_t> &indices, sink::Outcome *outcome);
	std::string Body(const std::vector<size_t> &indices) const;

	WebhookSettings settings_;
	http::HttpClient client_;
	json::DocumentSerializer documents_;
	std::string authorization_;
	http::SecretRedactor redactor_;
	std::vector<std::string> documents_of_; // per record of the current batch
};

std::string WebhookSink::Body(const std::vector<size_t> &indices) const {
	std::string body = settings_.format == WebhookFormat::kJsonArray ? "[" : "";
	for (size_t i : indices)
		body += documents_of_[i];
	if (settings_.format == WebhookFormat::kJsonArray)
		body.back() = ']'; // the last document's "," separator (indices is never empty)
	return body;
}

bool WebhookSink::Send(const sink::Batch &batch, const std::vector<size_t> &indices, sink::Outcome *outcome) {
	if (indices.empty())
		return true;
	std::string body = Body(indices);
	const sink::Record &first = batch.records[indices.front()];
	const sink::Record &last = batch.records[indices.back()];
	// The same records always give the same body, so a retry carries the same key; the
	// digest keeps two hubs whose spools have the same positions from sharing keys.
	std::string key = std::to_string(first.listener_id) + "." + std::to_string(first.seq) + "-" +
	                  std::to_string(last.listener_id) + "." + std::to_string(last.seq) + "-" +
	                  BodyDigest(body);

	http::Request request;
	request.method = settings_.method;
	request.url = settings_.url;
	request.body = body;
	request.headers.emplace_back("Content-Type", settings_.format == WebhookFormat::kJsonArray
	                                                 ? "application/json"
	                                                 : "application/x-ndjson");
	request.headers.emplace_back("Idempotency-Key", key);
	request.headers.emplace_back("X-Pgwatch-Batch", key);
	if (!settings_.hmac_secret.empty()) {
		std::string timestamp = std::to_string(std::time(nullptr));
		request.headers.emplace_back("X-Pgwatch-Signature",
		                             Signature(settings_.hmac_secret, timestamp, body));
		request.headers.emplace_back("X-Pgwatch-Timestamp", std::move(timestamp));
	}
	if (!authorization_.empty())
		request.headers.emplace_back("Authorization", authorization_);
	http::Response response = client_.Send(request);
	http::Disposition disposition = http::Classify(response);
	if (disposition == http::Disposition::kDelivered)
		return true;
	std::string why = redactor_.Redact(http::DescribeResponse(request, response));
	if (disposition == http::Disposition::kRetry) {
		*outcome = sink::Outcome::Retry("webhook: " + why, response.retry_after_ms);
		return false;
	}
	if (!RefusesTheBody(response.status)) {
		*outcome =
		    sink::Outcome::Retry("webhook: " + why +
		                         " (no record is to blame: check the sink's url, method and credentials; "
		                         "the batch is retried until then)");
		return false;
	}
	if (indices.size() == 1) {
		outcome->rejected.push_back({indices.front(), "the webhook refused the record: " + why});
		return true;
	}
	size_t half = indices.size() / 2;
	return Send(batch,
	            std::vector<size_t>(indices.begin(), indices.begin() + static_cast<std::ptrdiff_t>(half)),
	            outcome) &&
	       Send(batch,
	            std::vector<size_t>(indices.begin() + static_cast<std::ptrdiff_t>(half), indices.end()),
	            outcome);
}

} // namespace

std::unique_ptr<sink::Sink> CreateWebhookSink(const delivery::SinkContext &context) {
	WebhookSettings settings;
	std::vector<sink::ConfigProblem> problems;
	ParseWebhookSettings(context.config, context.secrets, &settings, &problems);
	if (!problems.empty())
		throw std::invalid_argument(sink::FormatProblems(problems));
	return std::make_unique<WebhookSink>(std::move(settings), context.secrets, *context.waiter);
}

} // namespace pgwatch_rpc::sinks
