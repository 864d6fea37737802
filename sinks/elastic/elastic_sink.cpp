// The elastic sink's delivery (elastic_sink.hpp). One batch may take several bulk requests
// (bulk_max_size, bulk_max_bytes); each document ends up stored (201, or 409: stored by an
// earlier attempt), refused for good (its envelope goes to the dead letters), or pending. A
// batch with pending documents is a retry, and the retry of the same batch sends only those.
#include "sinks/elastic/elastic_sink.hpp"

#include "core/delivery/sink_context.hpp"
#include "core/http/client.hpp"
#include "core/http/credentials.hpp"
#include "core/http/header_rules.hpp"
#include "core/http/redact.hpp"
#include "core/http/response_class.hpp"
#include "core/http/sigv4.hpp"
#include "core/log/log.hpp"
#include "core/sink/batch_progress.hpp"
#include "core/sink/registry.hpp"
#include "core/sink/waiter.hpp"
#include "sinks/elastic/bulk_documents.hpp"
#include "sinks/elastic/bulk_response.hpp"
#include "sinks/elastic/elastic_kind.hpp"

#include <algorithm>
#include <ctime>
#include <deque>
#include <optional>
#include <stdexcept>

namespace pgwatch_rpc::sinks {
namespace {

// Only what is needed of the response: the overall flag and each item's status and error.
constexpr std::string_view kBulkPath = "/_bulk?filter_path=errors,items.*.status,items.*.error";

// The batch being delivered: its documents' lines and what became of each.
struct BatchState {
	sink::BatchProgress progress;
	std::string text;
	std::vector<BulkDocument> documents; // document i is progress item i
};

// Failure: why an attempt stopped before every document was settled.
struct Failure {
	std::string error;
	int64_t retry_after_ms = -1;
};

class ElasticSink : public sink::Sink {
public:
	ElasticSink(std::string name, ElasticSettings settings, sink::Waiter &waiter)
	    : name_(std::move(name)), settings_(std::move(settings)), client_(settings_.http),
	      serializer_(settings_) {
		client_.SetStopCheck([&waiter] { return waiter.StopRequested(); });
		for (const std::string &host : settings_.hosts)
			bulk_urls_.push_back(host + std::string(kBulkPath) +
			                     (settings_.pipeline.empty() ? "" : "&pipeline=" + settings_.pipeline));
		request_.headers = {{"Content-Type", "application/x-ndjson"}, {"Accept", "application/json"}};
		std::string authorization;
		if (!settings_.api_key.empty()) {
			// Elastic shows a key as "id" and "api_key", and also pre-encoded: a colon tells which.
			bool raw = settings_.api_key.find(':') != std::string::npos;
			authorization = "ApiKey " + (raw ? http::Base64(settings_.api_key) : settings_.api_key);
		} else if (!settings_.username.empty()) {
			authorization = http::BasicAuthorization(settings_.username, settings_.password);
		}
		if (!authorization.empty())
			request_.headers.emplace_back("Authorization", authorization);
		redactor_.Add(settings_.password);
		redactor_.Add(settings_.api_key);
		redactor_.Add(authorization);
		if (settings_.aws_sigv4) {
			client_.SetSigner(http::SigV4RequestSigner(settings_.aws_credentials, settings_.aws_scope));
			redactor_.Add(settings_.aws_credentials.secret_access_key);
			redactor_.Add(settings_.aws_credentials.session_token);
		}
	}

	sink::Outcome Deliver(const sink::Batch &batch) override {
		sink::BatchKey key(batch);
		if (!state_.progress.Matches(key))
			Prepare(batch, std::move(key));

		std::optional<Failure> failure;
		size_t item_retries = 0;
		std::string item_retry_error;
		std::deque<std::vector<size_t>> work = Requests();
		while (!work.empty() && !failure) {
			std::vector<size_t> request = std::move(work.front());
			work.pop_front();
			http::Response response = Post(request);
			if (response.transport == http::TransportError::kNone && response.status == 413) {
				// Over the cluster's http.max_content_length: halve until it fits (SINKS.md §2.3).
				if (request.size() == 1) {
					const BulkDocument &doc = state_.documents[request[0]];
					state_.progress.Refuse(
					    request[0],
					    "elastic sink: the document's bulk lines take " + std::to_string(doc.size) +
					        " bytes, more than the target accepts in a request: " + Describe(response));
					continue;
				}
				size_t half = request.size() / 2;
				work.emplace_front(request.begin() + static_cast<std::ptrdiff_t>(half), request.end());
				work.emplace_front(request.begin(), request.begin() + static_cast<std::ptrdiff_t>(half));
				continue;
			}
			if (http::Classify(response) != http::Disposition::kDelivered) {
				failure = RequestFailure(response);
				continue;
			}
			std::string problem;
			if (!Settle(request, response, &item_retries, &item_retry_error, &problem))
				failure = Failure{"elastic sink: " + problem + " (" + Describe(response) + ")", -1};
		}

		if (state_.progress.unsettled() > 0) {
			if (!failure)
				failure =
				    Failure{"elastic sink: " + std::to_string(item_retries) + " of the batch's " +
				                std::to_string(state_.documents.size()) +
				                " documents were refused for now and are resent next: " + item_retry_error,
				            -1};
			return sink::Outcome::Retry(failure->error, failure->retry_after_ms);
		}
		sink::Outcome outcome = sink::Outcome::Delivered();
		outcome.rejected = state_.progress.Rejected();
		state_.progress.Clear();
		return outcome;
	}

private:
	// Prepare serializes the batch. Records that cannot be decoded, and documents larger than
	// a whole request may be, are refused before anything is sent.
	void Prepare(const sink::Batch &batch, sink::BatchKey key) {
		state_.progress.Start(std::move(key), batch.records.size());
		state_.text.clear();
		state_.documents.clear();
		for (size_t i = 0; i < batch.records.size(); i++) {
			wire::ScanResult result =
			    serializer_.AppendRecord(batch.records[i], i, &state_.text, &state_.documents);
			if (!result.ok())
				state_.progress.RefuseRecord(i, "elastic sink: the spool record cannot be decoded: " +
				                                    result.message);
		}
		for (const BulkDocument &doc : state_.documents) {
			size_t item = state_.progress.AddItem(doc.record);
			if (doc.size > static_cast<size_t>(settings_.bulk_max_bytes))
				state_.progress.Refuse(item, "elastic sink: the document's bulk lines take " +
				                                 std::to_string(doc.size) +
				                                 " bytes, more than bulk_max_bytes (" +
				                                 std::to_string(settings_.bulk_max_bytes) + ")");
		}
	}

	// Requests cuts the unsettled documents into bulk requests within both bounds.
	std::deque<std::vector<size_t>> Requests() const {
		std::deque<std::vector<size_t>> requests;
		size_t bytes = 0;
		for (size_t d = 0; d < state_.documents.size(); d++) {
			if (state_.progress.settled(d))
				continue;
			size_t size = state_.documents[d].size;
			if (requests.empty() || requests.back().size() >= static_cast<size_t>(settings_.bulk_max_size) ||
			    bytes + size > static_cast<size_t>(settings_.bulk_max_bytes)) {
				requests.emplace_back();
				bytes = 0;
			}
			requests.back().push_back(d);
			bytes += size;
		}
		return requests;
	}

	// Post sends one bulk request, to the next host in turn; a host that cannot be reached
	// is skipped for the next one (failover), each host tried at most once.
	http::Response Post(const std::vector<size_t> &request) {
		body_.clear();
		for (size_t d : request)
			body_.append(state_.text, state_.documents[d].offset, state_.documents[d].size);
		request_.body = body_;
		http::Response response;
		for (size_t attempt = 0; attempt < bulk_urls_.size(); attempt++) {
			request_.url = bulk_urls_[next_host_];
			next_host_ = (next_host_ + 1) % bulk_urls_.size();
			response = client_.Send(request_);
			if (response.transport == http::TransportError::kNone)
				return response;
			if (attempt + 1 < bulk_urls_.size())
				log::Write(log::Level::kWarning,
				           "sink \"" + name_ + "\": " + Describe(response) + "; trying the next host");
		}
		return response;
	}

	// UtcNow: this machine's time, for a SigV4 refusal (AWS allows 5 minutes of skew).
	static std::string UtcNow() {
		std::time_t now = std::time(nullptr);
		std::tm tm{};
		char text[32] = "";
		if (gmtime_r(&now, &tm) != nullptr)
			std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
		return text;
	}

	std::string Describe(const http::Response &response) const {
		return redactor_.Redact(http::DescribeResponse(request_, response));
	}

	// RequestFailure: the whole request failed. Everything but 413 is retried: a transport
	// error, 429 or 5xx clears up by itself; 401, 403 and other statuses of the whole request
	// mean the configuration or the cluster needs fixing, and dead-lettering every document
	// meanwhile would be worse than waiting (the engine's backoff caps the request rate).
	Failure RequestFailure(const http::Response &response) const {
		std::string error = "elastic sink: " + Describe(response);
		if (settings_.aws_sigv4 && (response.status == 401 || response.status == 403))
			error +=
			    " (AWS refused the signature or the identity: check secrets.aws_access_key_id and "
			    "secrets.aws_secret_access_key, or the AWS_* variables, aws_sigv4's region and service, "
			    "the IAM policy (es:ESHttpPost, aoss:APIAccessAll) and the clock: it is " +
			    UtcNow() + " here" +
			    (response.Header("Date") ? ", " + std::string(*response.Header("Date")) + " there)" : ")");
		else if (response.status == 401)
			error += " (the cluster refuses the credentials: check username and secrets.password, or "
			         "secrets.api_key)";
		else if (response.status == 403)
			error +=
			    " (the credentials lack a privilege: the user or API key needs create_doc, or create_index "
			    "for new indices, on the target indices)";
		else if (http::Classify(response) == http::Disposition::kPermanent)
			error += " (a request the cluster refuses as a whole: check hosts and pipeline)";
		return Failure{error, response.retry_after_ms};
	}

	// Settle applies a 2xx bulk response to the request's documents. False if the body is
	// not a usable bulk response (then nothing is settled).
	bool Settle(const std::vector<size_t> &request, const http::Response &response, size_t *retries,
	            std::string *retry_error, std::string *problem) {
		bool all_ok = false;
		if (!ParseBulkResponse(response.body, request.size(), &all_ok, &items_, problem))
			return false;
		for (size_t i = 0; i < request.size(); i++) {
			size_t d = request[i];
			long status = all_ok ? 201 : items_[i].status;
			// 409 answers a create of an _id that exists: an earlier attempt stored it.
			if (status == 409 || http::ClassifyStatus(status) == http::Disposition::kDelivered) {
				state_.progress.Settle(d);
				continue;
			}
			std::string error = "HTTP " + std::to_string(status) + " " + items_[i].error;
			if (http::ClassifyStatus(status) == http::Disposition::kRetry) {
				if ((*retries)++ == 0)
					*retry_error = error;
				continue;
			}
			const BulkDocument &doc = state_.documents[d];
			state_.progress.Refuse(d, "elastic sink: index \"" +
			                              std::string(DocumentIndex(state_.text, doc)) + "\" refused row " +
			                              std::to_string(doc.row) + " (_id " +
			                              std::string(DocumentId(state_.text, doc)) + "): " + error);
		}
		return true;
	}

	std::string name_;
	ElasticSettings settings_;
	http::HttpClient client_;
	BulkSerializer serializer_;
	http::SecretRedactor redactor_;
	std::vector<std::string> bulk_urls_;
	size_t next_host_ = 0;
	http::Request request_;
	std::string body_;
	std::vector<BulkItemResult> items_;
	BatchState state_;
};

} // namespace

std::unique_ptr<sink::Sink> CreateElasticSink(const delivery::SinkContext &context) {
	ElasticSettings settings;
	std::vector<sink::ConfigProblem> problems;
	ParseElasticSettings(context.config, context.secrets, &settings, &problems);
	if (!problems.empty())
		throw std::invalid_argument(sink::FormatProblems(problems));
	std::string problem;
	if (settings.aws_sigv4 && settings.aws_credentials.access_key_id.empty() &&
	    !http::AwsCredentialsFromEnvironment(&settings.aws_credentials, &problem))
		throw std::invalid_argument("aws_sigv4: no AWS credentials: set secrets.aws_access_key_id and "
		                            "secrets.aws_secret_access_key, or AWS_ACCESS_KEY_ID and "
		                            "AWS_SECRET_ACCESS_KEY in the environment of the PostgreSQL server, "
		                            "which the delivery process inherits (" +
		                            problem + ")");
	return std::make_unique<ElasticSink>(context.sink_name, std::move(settings), *context.waiter);
}

} // namespace pgwatch_rpc::sinks
