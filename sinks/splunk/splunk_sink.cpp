// The splunk sink's delivery (splunk_sink.hpp). A batch may take several requests
// (max_events_per_request, max_content_length); each event ends up delivered, refused for good
// (its envelope goes to the dead letters), awaiting its request's acknowledgement, or unsent.
// Acknowledgements are awaited within Deliver up to ack_timeout, through the sink's Waiter so a
// stop request ends the wait; one that does not come in time sends its events again
// (at-least-once: Splunk has no idempotent write).
#include "sinks/splunk/splunk_sink.hpp"

#include "core/delivery/sink_context.hpp"
#include "core/http/client.hpp"
#include "core/http/redact.hpp"
#include "core/http/response_class.hpp"
#include "core/sink/batch_progress.hpp"
#include "core/sink/registry.hpp"
#include "core/sink/waiter.hpp"
#include "sinks/splunk/hec_channel.hpp"
#include "sinks/splunk/hec_events.hpp"
#include "sinks/splunk/hec_reply.hpp"
#include "sinks/splunk/splunk_kind.hpp"

#include <algorithm>
#include <chrono>
#include <deque>
#include <optional>
#include <stdexcept>

namespace pgwatch_rpc::sinks {
namespace {

int64_t NowMs() {
	using namespace std::chrono;
	return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

// A request whose events are stored once its acknowledgement id reads true.
struct Awaiting {
	std::vector<size_t> events;
	int64_t ack_id = 0;
	int64_t deadline_ms = 0; // steady clock
};

struct Failure {
	std::string error;
	int64_t retry_after_ms = -1;
};

class SplunkSink : public sink::Sink {
public:
	SplunkSink(const std::string &name, SplunkSettings settings, sink::Waiter &waiter)
	    : settings_(std::move(settings)), waiter_(waiter), client_(settings_.http), serializer_(settings_) {
		std::string channel = settings_.channel.empty() ? DeriveChannel(name) : settings_.channel;
		std::string authorization = "Splunk " + settings_.token;
		request_.headers = {{"Content-Type", "application/json"},
		                    {"Authorization", authorization},
		                    {"X-Splunk-Request-Channel", channel}};
		ack_url_ = settings_.ack_url + "?channel=" + channel;
		redactor_.Add(settings_.token);
		client_.SetStopCheck([&waiter] { return waiter.StopRequested(); });
	}

	sink::Outcome Deliver(const sink::Batch &batch) override {
		sink::BatchKey key(batch);
		if (!progress_.Matches(key))
			Prepare(batch, std::move(key));
		std::optional<Failure> failure;
		if (!awaiting_.empty())
			PollAcks(&failure); // requests of an earlier attempt: acknowledged meanwhile?
		if (!failure)
			SendUnsent(&failure);
		while (!failure && !awaiting_.empty()) {
			int64_t wait_ms =
			    std::min(settings_.ack_poll_interval_ms, std::max<int64_t>(0, EarliestDeadline() - NowMs()));
			if (!waiter_.WaitMs(wait_ms))
				return Stopped();
			PollAcks(&failure);
		}
		if (progress_.unsettled() > 0)
			return sink::Outcome::Retry(failure ? failure->error : "splunk sink: events are still unsent",
			                            failure ? failure->retry_after_ms : -1);
		sink::Outcome outcome = sink::Outcome::Delivered();
		outcome.rejected = progress_.Rejected();
		progress_.Clear();
		return outcome;
	}

private:
	// Prepare serializes the batch. Records that cannot be decoded, and events larger than a
	// request may be, are refused before anything is sent.
	void Prepare(const sink::Batch &batch, sink::BatchKey key) {
		progress_.Start(std::move(key), batch.records.size());
		text_.clear();
		events_.clear();
		awaiting_.clear();
		for (size_t i = 0; i < batch.records.size(); i++) {
			wire::ScanResult result = serializer_.AppendRecord(batch.records[i], i, &text_, &events_);
			if (!result.ok())
				progress_.RefuseRecord(i,
				                       "splunk sink: the spool record cannot be decoded: " + result.message);
		}
		in_flight_.assign(events_.size(), false);
		for (const HecEvent &event : events_) {
			size_t item = progress_.AddItem(event.record);
			if (event.size > static_cast<size_t>(settings_.max_content_length))
				progress_.Refuse(item, "splunk sink: the event takes " + std::to_string(event.size) +
				                           " bytes, more than max_content_length (" +
				                           std::to_string(settings_.max_content_length) + ")");
		}
	}

	// SendUnsent posts every event neither settled nor awaiting an acknowledgement, in requests
	// within both bounds; it stops at the first request that fails as a whole.
	void SendUnsent(std::optional<Failure> *failure) {
		std::deque<std::vector<size_t>> work;
		size_t bytes = 0;
		for (size_t e = 0; e < events_.size(); e++) {
			if (progress_.settled(e) || in_flight_[e])
				continue;
			if (work.empty() || work.back().size() >= static_cast<size_t>(settings_.max_events_per_request) ||
			    bytes + events_[e].size > static_cast<size_t>(settings_.max_content_length)) {
				work.emplace_back();
				bytes = 0;
			}
			work.back().push_back(e);
			bytes += events_[e].size;
		}
		while (!work.empty()) {
			std::vector<size_t> request = SkipRefusedRecords(std::move(work.front()));
			work.pop_front();
			if (request.empty())
				continue;
			body_.clear();
			for (size_t e : request)
				body_.append(text_, events_[e].offset, events_[e].size);
			request_.url = settings_.event_url;
			http::Response response = Post(body_);
			HecReply reply = ParseHecReply(response.body);
			if (http::Classify(response) == http::Disposition::kDelivered) {
				if (settings_.use_ack && reply.ack_id >= 0) {
					for (size_t e : request)
						in_flight_[e] = true;
					awaiting_.push_back(
					    {std::move(request), reply.ack_id, NowMs() + settings_.ack_timeout_ms});
				} else {
					for (size_t e : request)
						progress_.Settle(e);
				}
				continue;
			}
			if (response.status == 400 && reply.code == kHecInvalidDataFormat) {
				SplitAtInvalidEvent(request, reply, response, &work);
				continue;
			}
			*failure = RequestFailure(response, reply);
			return;
		}
	}

	// SkipRefusedRecords drops the events of envelopes already refused: the dead letter holds
	// the whole envelope, and sending its other rows event by event would cost a request per
	// row when the collector refuses them all (400 code 6 stops at the first bad event).
	std::vector<size_t> SkipRefusedRecords(std::vector<size_t> request) {
		std::vector<size_t> kept;
		for (size_t e : request) {
			if (progress_.record_refused(events_[e].record))
				progress_.Refuse(e, "");
			else
				kept.push_back(e);
		}
		return kept;
	}

	// SplitAtInvalidEvent handles 400 code 6 (SINKS.md §3.4): the events before
	// invalid-event-number were accepted, that one is refused, the rest is sent again at once.
	// Without a usable number the request is halved until the bad event stands alone.
	void SplitAtInvalidEvent(const std::vector<size_t> &request, const HecReply &reply,
	                         const http::Response &response, std::deque<std::vector<size_t>> *work) {
		auto at = [&request](size_t i) { return request.begin() + static_cast<std::ptrdiff_t>(i); };
		size_t bad = reply.invalid_event >= 0 && static_cast<size_t>(reply.invalid_event) < request.size()
		                 ? static_cast<size_t>(reply.invalid_event)
		                 : request.size();
		if (bad == request.size() && request.size() > 1) {
			size_t half = request.size() / 2;
			work->emplace_front(at(half), request.end());
			work->emplace_front(request.begin(), at(half));
			return;
		}
		if (bad == request.size())
			bad = 0;
		// HEC gives no acknowledgement id with a refusal: the events it accepted count on its word.
		for (size_t i = 0; i < bad; i++)
			progress_.Settle(request[i]);
		const HecEvent &event = events_[request[bad]];
		progress_.Refuse(request[bad], "splunk sink: the collector refused row " + std::to_string(event.row) +
		                                   " of the envelope: " + Describe(response));
		if (bad + 1 < request.size())
			work->emplace_front(at(bad + 1), request.end());
	}

	// PollAcks asks which awaited requests are acknowledged: those settle; those past
	// ack_timeout go back to the unsent events (and *failure says so).
	void PollAcks(std::optional<Failure> *failure) {
		std::vector<int64_t> ids;
		for (const Awaiting &a : awaiting_)
			ids.push_back(a.ack_id);
		std::string body = AckRequestBody(ids);
		request_.url = ack_url_;
		http::Response response = Post(body);
		HecReply reply = ParseHecReply(response.body);
		bool disabled = response.status == 400 && reply.code == kHecAckDisabled;
		std::vector<std::pair<int64_t, bool>> acks;
		bool read =
		    http::Classify(response) == http::Disposition::kDelivered && ParseAckReply(response.body, &acks);
		if (!read && !disabled)
			last_poll_error_ = Describe(response);

		int64_t now_ms = NowMs();
		size_t timed_out = 0;
		for (size_t i = 0; i < awaiting_.size();) {
			Awaiting &a = awaiting_[i];
			bool acknowledged = disabled; // the token does not do acknowledgements: HTTP 200 was the word
			for (const auto &ack : acks)
				acknowledged = acknowledged || (ack.first == a.ack_id && ack.second);
			if (!acknowledged && now_ms < a.deadline_ms) {
				i++;
				continue;
			}
			for (size_t e : a.events) {
				in_flight_[e] = false;
				if (acknowledged)
					progress_.Settle(e);
			}
			timed_out += acknowledged ? 0 : 1;
			awaiting_.erase(awaiting_.begin() + static_cast<std::ptrdiff_t>(i));
		}
		if (timed_out > 0 && !*failure)
			*failure =
			    Failure{"splunk sink: the indexer acknowledgement of " + std::to_string(timed_out) +
			                " requests did not come within ack_timeout (" +
			                std::to_string(settings_.ack_timeout_ms) + " ms); their events are sent again" +
			                (read ? "" : " (last poll: " + last_poll_error_ + ")"),
			            -1};
	}

	// Stopped: the process is stopping while requests await their acknowledgement. The batch
	// stays in the spool and the next delivery process sends it all again; a later Deliver of
	// this sink would first poll the ids still awaited.
	sink::Outcome Stopped() const {
		std::string requests =
		    awaiting_.size() == 1 ? "a request" : std::to_string(awaiting_.size()) + " requests";
		return sink::Outcome::Stopped(
		    "splunk sink: stopping while waiting for the indexer acknowledgement of " + requests +
		    "; the batch stays in the spool and is sent again by the next delivery "
		    "process (duplicates possible: search with dedup id)");
	}

	int64_t EarliestDeadline() const {
		int64_t earliest = INT64_MAX;
		for (const Awaiting &a : awaiting_)
			earliest = std::min(earliest, a.deadline_ms);
		return earliest;
	}

	http::Response Post(std::string_view body) {
		request_.body = body;
		return client_.Send(request_);
	}

	std::string Describe(const http::Response &response) const {
		return redactor_.Redact(http::DescribeResponse(request_, response));
	}

	// RequestFailure: a request failed as a whole. All of these are retried: a transport
	// error, 429, 500 and 503 clear up by themselves; the others need the configuration or the
	// collector fixed, and dead-lettering every event meanwhile would be worse than waiting (the
	// engine's backoff caps the request rate).
	Failure RequestFailure(const http::Response &response, const HecReply &reply) const {
		std::string error = "splunk sink: " + Describe(response);
		if (response.status == 401 || response.status == 403)
			error += " (the collector refuses the token: check secrets.token and that the token is enabled)";
		else if (response.status == 400 && reply.code == 7)
			error += " (check index: the token may not write to it)";
		else if (response.status == 400 && (reply.code == 10 || reply.code == 11))
			error += " (check channel)";
		else if (response.status == 413)
			error += " (lower max_content_length to the collector's [http_input] max_content_length)";
		return Failure{error, response.retry_after_ms};
	}

	SplunkSettings settings_;
	sink::Waiter &waiter_;
	http::HttpClient client_;
	HecSerializer serializer_;
	http::SecretRedactor redactor_;
	http::Request request_;
	std::string ack_url_;
	std::string body_;
	std::string last_poll_error_;
	sink::BatchProgress progress_;
	std::string text_;             // every event of the batch
	std::vector<HecEvent> events_; // event i is progress item i
	std::vector<bool> in_flight_;  // per event: sent, awaiting its acknowledgement
	std::vector<Awaiting> awaiting_;
};

} // namespace

std::unique_ptr<sink::Sink> CreateSplunkSink(const delivery::SinkContext &context) {
	SplunkSettings settings;
	std::vector<sink::ConfigProblem> problems;
	ParseSplunkSettings(context.config, context.secrets, &settings, &problems);
	if (!problems.empty())
		throw std::invalid_argument(sink::FormatProblems(problems));
	return std::make_unique<SplunkSink>(context.sink_name, std::move(settings), *context.waiter);
}

} // namespace pgwatch_rpc::sinks
