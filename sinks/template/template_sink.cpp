// The skeleton's delivery (see template_sink.hpp): every measurement row as an NDJSON
// document, POSTed to url in one request per batch. Replace Deliver's request with your
// target's protocol; keep the rest of its shape.
#include "sinks/template/template_sink.hpp"

#include "core/delivery/sink_context.hpp"
#include "core/http/client.hpp"
#include "core/http/credentials.hpp"
#include "core/http/redact.hpp"
#include "core/http/response_class.hpp"
#include "core/json/document.hpp"
#include "core/sink/registry.hpp"
#include "core/sink/waiter.hpp"
#include "sinks/template/template_kind.hpp"

#include <stdexcept>

namespace pgwatch_rpc::sinks {
namespace {

class TemplateSink : public sink::Sink {
public:
	TemplateSink(TemplateSettings settings, sink::Waiter &waiter)
	    : settings_(std::move(settings)), client_(settings_.http),
	      documents_(json::DocumentOptions{"\n", "row_id"}) {
		// A stop request abandons a request in flight instead of waiting up to timeout_ms.
		client_.SetStopCheck([&waiter] { return waiter.StopRequested(); });
		// Everything secret the sink sends goes into the redactor: error texts pass through it
		// before they reach Outcome::error (logged, shown in rpc_stat_sinks).
		redactor_.Add(settings_.api_key);
	}

	// Deliver turns one batch into one request. Its contract (core/sink/sink.hpp):
	//   - Delivered only when the target has everything not in `rejected` durably;
	//   - Retry(why, retry_after_ms) when nothing can be assumed delivered: the engine backs
	//     off and calls again with the same batch, so the request must be the same bytes
	//     (idempotency: deterministic ids, never wall-clock time in the body);
	//   - RejectedRecord{index, reason} for a record the target refuses as invalid: it goes to
	//     the dead letters and the cursor moves on. Never reject for a transient failure.
	//   - Throwing is a Retry with the exception's text.
	sink::Outcome Deliver(const sink::Batch &batch) override {
		sink::Outcome outcome = sink::Outcome::Delivered();
		std::string body;
		for (size_t i = 0; i < batch.records.size(); i++) {
			// A spool record that does not decode can never be delivered: reject it.
			wire::ScanResult result = documents_.AppendRecord(batch.records[i], &body);
			if (!result.ok())
				outcome.rejected.push_back({i, result.message});
		}
		if (body.empty())
			return outcome; // nothing but rejected or empty records

		http::Request request;
		request.url = settings_.url;
		request.body = body;
		request.headers.emplace_back("Content-Type", "application/x-ndjson");
		if (!settings_.api_key.empty())
			request.headers.emplace_back("Authorization", http::BearerAuthorization(settings_.api_key));
		http::Response response = client_.Send(request);
		switch (http::Classify(response)) {
		case http::Disposition::kDelivered:
			return outcome;
		case http::Disposition::kRetry:
			return sink::Outcome::Retry(Why(request, response), response.retry_after_ms);
		case http::Disposition::kPermanent:
			break;
		}
		// A permanent answer for the whole request names no record. Whether to reject the
		// batch, split it to find the bad record (sinks/webhook), or retry because the request
		// itself is wrong (401, 404) is the decision your target's documentation drives.
		return sink::Outcome::Retry(Why(request, response));
	}

private:
	std::string Why(const http::Request &request, const http::Response &response) const {
		return "template sink: " + redactor_.Redact(http::DescribeResponse(request, response));
	}

	TemplateSettings settings_;
	http::HttpClient client_;
	json::DocumentSerializer documents_; // one per sink: it reuses its buffers
	http::SecretRedactor redactor_;
};

} // namespace

std::unique_ptr<sink::Sink> CreateTemplateSink(const delivery::SinkContext &context) {
	TemplateSettings settings;
	std::vector<sink::ConfigProblem> problems;
	ParseTemplateSettings(context.config, context.secrets, &settings, &problems);
	if (!problems.empty())
		throw std::invalid_argument(sink::FormatProblems(problems));
	return std::make_unique<TemplateSink>(std::move(settings), *context.waiter);
}

} // namespace pgwatch_rpc::sinks
