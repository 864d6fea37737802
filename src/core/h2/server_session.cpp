// nghttp2 server session for the Receiver service (see server_session.hpp). Callbacks are
// noexcept in effect: each body is wrapped so no C++ exception unwinds through nghttp2
// (STYLE.md §6.2 rule 2); a failure there fails the connection instead.
#include "core/h2/server_session.hpp"

#include "core/grpc/percent.hpp"
#include "core/grpc/reply.hpp"
#include "core/grpc/timeout.hpp"
#include "core/h2/request_checks.hpp"
#include "core/log/log.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <stdexcept>

namespace pgwatch_rpc::h2 {
namespace {
using grpc::StatusCode;

const char kPingPayload[8] = {'p', 'g', 'w', 'r', 'p', 'c', 's', 'd'};

// value must outlive the nghttp2_submit_* call (a literal or a named string, never a temporary).
nghttp2_nv Nv(const char *name, std::string_view value) {
	return nghttp2_nv{reinterpret_cast<uint8_t *>(const_cast<char *>(name)),
	                  reinterpret_cast<uint8_t *>(const_cast<char *>(value.data())), std::strlen(name),
	                  value.size(), NGHTTP2_NV_FLAG_NONE};
}

ServerSession *Self(void *user_data) {
	return static_cast<ServerSession *>(user_data);
}
} // namespace

ServerSession::ServerSession(uint64_t connection_id, std::string peer, const SessionConfig &config,
                             SessionServices services)
    : connection_id_(connection_id), peer_(std::move(peer)), config_(config), services_(std::move(services)),
      pings_(config.ping_min_interval_us, config.ping_permit_without_calls, config.max_ping_strikes),
      glitches_(config.glitch_burst, config.glitch_rate_per_s) {
	nghttp2_session_callbacks *callbacks = nullptr;
	if (nghttp2_session_callbacks_new(&callbacks) != 0)
		throw std::runtime_error("nghttp2_session_callbacks_new failed");
	nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, OnBeginHeaders);
	nghttp2_session_callbacks_set_on_header_callback(callbacks, OnHeader);
	nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, OnFrameRecv);
	nghttp2_session_callbacks_set_on_frame_send_callback(callbacks, OnFrameSend);
	nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, OnDataChunk);
	nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, OnStreamClose);
	nghttp2_session_callbacks_set_on_invalid_frame_recv_callback(callbacks, OnInvalidFrame);
	nghttp2_session_callbacks_set_error_callback2(callbacks, OnError);

	nghttp2_option *option = nullptr;
	if (nghttp2_option_new(&option) != 0) {
		nghttp2_session_callbacks_del(callbacks);
		throw std::runtime_error("nghttp2_option_new failed");
	}
	// GRPC.md §4/§13: Debian's backported flood guards (checked by symbol at build time).
	nghttp2_option_set_max_continuations(option, 8);
	nghttp2_option_set_stream_reset_rate_limit(option, config_.reset_burst, config_.reset_rate_per_s);
	nghttp2_option_set_max_settings(option, 32);
	nghttp2_option_set_max_outbound_ack(option, 1000);
	int rv = nghttp2_session_server_new2(&session_, callbacks, this, option);
	nghttp2_option_del(option);
	nghttp2_session_callbacks_del(callbacks);
	if (rv != 0)
		throw std::runtime_error(std::string("nghttp2_session_server_new2: ") + nghttp2_strerror(rv));

	nghttp2_settings_entry settings[] = {
	    {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, config_.max_concurrent_streams},
	    {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, static_cast<uint32_t>(config_.stream_window)},
	    {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, config_.max_header_list_bytes},
	    {NGHTTP2_SETTINGS_NO_RFC7540_PRIORITIES, 1},
	};
	nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, sizeof settings / sizeof settings[0]);
	nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0, config_.connection_window);
}

ServerSession::~ServerSession() {
	// Streams still queued in the committer: their replies will find no stream and be dropped.
	for (auto &[id, stream] : streams_)
		if (stream->phase == Stream::Phase::kQueued)
			services_.sink->Cancel(CallRef{connection_id_, id});
	nghttp2_session_del(session_);
}

Stream *ServerSession::Find(int32_t stream_id) {
	auto it = streams_.find(stream_id);
	return it == streams_.end() ? nullptr : it->second.get();
}

bool ServerSession::Receive(const uint8_t *data, size_t size) {
	ssize_t rv = nghttp2_session_mem_recv(session_, data, size);
	if (rv < 0) {
		// NGHTTP2_ERR_BAD_CLIENT_MAGIC (not HTTP/2), NGHTTP2_ERR_FLOODED, … : fatal.
		log::Write(log::Level::kDebug,
		           "HTTP/2 error from " + peer_ + ": " + nghttp2_strerror(static_cast<int>(rv)));
		return false;
	}
	ApplyDecisions();
	if (fatal_) {
		nghttp2_session_terminate_session2(session_, nghttp2_session_get_last_proc_stream_id(session_),
		                                   fatal_code_);
		if (fatal_debug_)
			log::Write(log::Level::kWarning,
			           std::string("closing HTTP/2 connection from ") + peer_ + ": " + fatal_debug_);
		fatal_ = false;
	}
	return true;
}

bool ServerSession::Produce(std::string *out, size_t max_bytes) {
	while (out->size() < max_bytes) {
		const uint8_t *chunk = nullptr;
		ssize_t n = nghttp2_session_mem_send(session_, &chunk);
		if (n < 0)
			return false;
		if (n == 0)
			break;
		// GRPC.md §14: the pointer is valid only until the next nghttp2 call: copy now.
		out->append(reinterpret_cast<const char *>(chunk), static_cast<size_t>(n));
	}
	return true;
}

bool ServerSession::WantsIo() const {
	if (close_after_flush_)
		return nghttp2_session_want_write(session_) != 0;
	return nghttp2_session_want_read(session_) || nghttp2_session_want_write(session_);
}

bool ServerSession::WantsWrite() const {
	return nghttp2_session_want_write(session_) != 0;
}

size_t ServerSession::outbound_queue() const {
	return nghttp2_session_get_outbound_queue_size(session_);
}

void ServerSession::Glitch() {
	services_.stats->glitches++;
	if (!glitches_.Take(services_.monotonic_us()) && !fatal_) {
		fatal_ = true;
		fatal_code_ = NGHTTP2_ENHANCE_YOUR_CALM;
		fatal_debug_ = "too many protocol errors, resets or cancels";
	}
}

int ServerSession::OnBeginHeaders(nghttp2_session *session, const nghttp2_frame *frame, void *user_data) {
	ServerSession *self = Self(user_data);
	if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST)
		return 0;
	try {
		auto stream = std::make_unique<Stream>();
		stream->id = frame->hd.stream_id;
		stream->started_us = self->services_.monotonic_us();
		nghttp2_session_set_stream_user_data(session, stream->id, stream.get());
		self->streams_[stream->id] = std::move(stream);
	} catch (...) {
		return NGHTTP2_ERR_CALLBACK_FAILURE;
	}
	return 0;
}

int ServerSession::OnHeader(nghttp2_session *, const nghttp2_frame *frame, const uint8_t *name,
                            size_t namelen, const uint8_t *value, size_t valuelen, uint8_t, void *user_data) {
	ServerSession *self = Self(user_data);
	Stream *stream = self->Find(frame->hd.stream_id);
	if (!stream)
		return 0;
	// GRPC.md §4: nghttp2 does not enforce MAX_HEADER_LIST_SIZE on what it receives. The
	// count includes request trailers, which share the stream's budget.
	stream->header_bytes += namelen + valuelen + 32;
	if (stream->header_bytes > self->config_.max_header_list_bytes) {
		self->Glitch();
		return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
	}
	if (stream->phase != Stream::Phase::kHeaders)
		return 0; // request trailers: accepted and ignored (GRPC.md §5)
	try {
		RecordHeader(stream, std::string_view(reinterpret_cast<const char *>(name), namelen),
		             std::string_view(reinterpret_cast<const char *>(value), valuelen));
	} catch (...) {
		return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
	}
	return 0;
}

int ServerSession::OnFrameRecv(nghttp2_session *, const nghttp2_frame *frame, void *user_data) {
	ServerSession *self = Self(user_data);
	try {
		switch (frame->hd.type) {
		case NGHTTP2_HEADERS: {
			Stream *stream = self->Find(frame->hd.stream_id);
			if (!stream)
				break;
			if (frame->headers.cat == NGHTTP2_HCAT_REQUEST)
				self->HeadersComplete(stream);
			if (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) {
				stream->end_stream = true;
				self->complete_.push_back(stream->id);
			}
			break;
		}
		case NGHTTP2_DATA: {
			if (frame->hd.length == 0 && !(frame->hd.flags & NGHTTP2_FLAG_END_STREAM))
				self->Glitch(); // empty DATA without END_STREAM: CVE-2019-9518 pattern
			Stream *stream = self->Find(frame->hd.stream_id);
			if (stream && (frame->hd.flags & NGHTTP2_FLAG_END_STREAM)) {
				stream->end_stream = true;
				self->complete_.push_back(stream->id);
			}
			break;
		}
		case NGHTTP2_SETTINGS:
			if (!(frame->hd.flags & NGHTTP2_FLAG_ACK))
				self->client_settings_seen_ = true;
			break;
		case NGHTTP2_PING:
			if (frame->hd.flags & NGHTTP2_FLAG_ACK) {
				if (std::memcmp(frame->ping.opaque_data, kPingPayload, 8) == 0)
					self->shutdown_ping_acked_ = true;
			} else if (self->pings_.OnPing(self->services_.monotonic_us(), !self->streams_.empty()) &&
			           !self->fatal_) {
				// GRPC.md §11: clients recognise this debug string and back off.
				nghttp2_submit_goaway(self->session_, NGHTTP2_FLAG_NONE,
				                      nghttp2_session_get_last_proc_stream_id(self->session_),
				                      NGHTTP2_ENHANCE_YOUR_CALM,
				                      reinterpret_cast<const uint8_t *>("too_many_pings"), 14);
				self->close_after_flush_ = true;
				log::Write(log::Level::kLog, "closing connection from " + self->peer_ + ": too many pings");
			}
			break;
		default:
			break;
		}
	} catch (...) {
		return NGHTTP2_ERR_CALLBACK_FAILURE;
	}
	return 0;
}

int ServerSession::OnFrameSend(nghttp2_session *session, const nghttp2_frame *frame, void *user_data) {
	ServerSession *self = Self(user_data);
	if (frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA)
		self->pings_.OnSentHeadersOrData();
	if (frame->hd.type == NGHTTP2_HEADERS && (frame->hd.flags & NGHTTP2_FLAG_END_STREAM)) {
		Stream *stream = self->Find(frame->hd.stream_id);
		if (stream && stream->reset_after_reply &&
		    nghttp2_session_get_stream_remote_close(session, frame->hd.stream_id) == 0)
			nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, frame->hd.stream_id, NGHTTP2_NO_ERROR);
	}
	return 0;
}

int ServerSession::OnDataChunk(nghttp2_session *, uint8_t, int32_t stream_id, const uint8_t *data, size_t len,
                               void *user_data) {
	ServerSession *self = Self(user_data);
	Stream *stream = self->Find(stream_id);
	if (!stream || stream->phase != Stream::Phase::kBody || !stream->body)
		return 0; // answered already (or never valid): drop, nghttp2 still credits the window
	try {
		grpc::CallStatus status = stream->body->Feed(data, len);
		if (!status.ok())
			self->Decide(stream, status.code, std::move(status.message));
		else if (stream->unauthenticated && stream->body->received_bytes() > kMaxUnauthenticatedBody)
			self->Decide(stream, StatusCode::kUnauthenticated, kUnauthenticatedMessage);
	} catch (...) {
		return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
	}
	return 0;
}

int ServerSession::OnStreamClose(nghttp2_session *, int32_t stream_id, uint32_t error_code, void *user_data) {
	ServerSession *self = Self(user_data);
	auto it = self->streams_.find(stream_id);
	if (it == self->streams_.end())
		return 0;
	Stream *stream = it->second.get();
	if (stream->phase == Stream::Phase::kQueued)
		self->services_.sink->Cancel(CallRef{self->connection_id_, stream_id});
	if (error_code != NGHTTP2_NO_ERROR && stream->phase != Stream::Phase::kAnswered)
		self->Glitch(); // a cancel before our reply (GRPC.md §4, §13)
	self->streams_.erase(it);
	return 0;
}

int ServerSession::OnInvalidFrame(nghttp2_session *, const nghttp2_frame *, int lib_error_code,
                                  void *user_data) {
	ServerSession *self = Self(user_data);
	log::Write(log::Level::kDebug,
	           "invalid HTTP/2 frame from " + self->peer_ + ": " + nghttp2_strerror(lib_error_code));
	self->Glitch();
	return 0;
}

int ServerSession::OnError(nghttp2_session *, int lib_error_code, const char *msg, size_t len,
                           void *user_data) {
	ServerSession *self = Self(user_data);
	log::Write(log::Level::kDebug, "HTTP/2 error from " + self->peer_ + " (" +
	                                   nghttp2_strerror(lib_error_code) + "): " + std::string(msg, len));
	self->Glitch();
	return 0;
}

// HeadersComplete runs the checks of GRPC.md §5 in order; the first failure decides.
void ServerSession::HeadersComplete(Stream *stream) {
	HeaderVerdict verdict = CheckRequestHeaders(*stream);
	if (verdict.http_status != 0) {
		DecideHttp(stream, verdict.http_status);
		return;
	}
	if (verdict.code != StatusCode::kOk) {
		Decide(stream, verdict.code, std::move(verdict.message));
		return;
	}
	stream->call = verdict.method;
	stream->method_known = true;
	stream->proto_suffix = verdict.proto_suffix;
	if (stream->has_grpc_timeout) {
		grpc::GrpcTimeout timeout = grpc::ParseGrpcTimeout(std::string_view(stream->grpc_timeout));
		if (timeout.outcome == grpc::TimeoutOutcome::kMalformed) {
			Decide(stream, StatusCode::kInternal,
			       "malformed grpc-timeout \"" + stream->grpc_timeout.substr(0, 32) + "\"");
			return;
		}
		int64_t timeout_us = std::chrono::duration_cast<std::chrono::microseconds>(timeout.value).count();
		if (timeout.value.count() <= 0) {
			Decide(stream, StatusCode::kDeadlineExceeded, "deadline exceeded before the call started");
			return;
		}
		stream->deadline_us = stream->started_us + std::max<int64_t>(timeout_us, 1);
	}
	if (!grpc::ParseMessageEncoding(stream->grpc_encoding, &stream->encoding)) {
		Decide(stream, StatusCode::kUnimplemented,
		       "unsupported grpc-encoding \"" + stream->grpc_encoding +
		           "\"; supported: " + std::string(grpc::kAcceptEncoding));
		return;
	}
	Authenticate(stream);
	if (stream->phase == Stream::Phase::kAnswered)
		return;
	if (*services_.shutting_down) {
		Decide(stream, StatusCode::kUnavailable, "the listener is shutting down, retry");
		return;
	}
	stream->body = std::make_unique<grpc::UnaryMessageReader>(config_.max_message_size, stream->encoding);
	stream->phase = Stream::Phase::kBody;
}

// Authenticate applies GRPC.md §7 with the in-memory key cache. SyncMetric calls that fail
// are not answered yet: see kMaxUnauthenticatedBody in request_checks.hpp for why.
void ServerSession::Authenticate(Stream *stream) {
	if (!services_.keys->loaded) {
		Decide(stream, StatusCode::kUnavailable,
		       "database unavailable: keys not loaded yet; nothing was stored, retry");
		return;
	}
	int64_t now = services_.monotonic_us();
	bool ok = false;
	if (stream->usernames.size() == 1 && stream->passwords.size() == 1 &&
	    !services_.throttle->Blocked(peer_, now)) {
		const auth::KeyEntry *key = nullptr;
		// Only kOk or kUnauthenticated come back from Authenticate; sources are checked
		// against the body's DBName later.
		if (services_.keys->cache.Authenticate(stream->usernames[0], stream->passwords[0],
		                                       services_.wall_us(), &key) == auth::AuthResult::kOk) {
			ok = true;
			stream->key_name = key->name;
			stream->key_sources = key->source_patterns;
			services_.throttle->RecordSuccess(peer_);
		}
	}
	stream->passwords.clear();
	if (ok)
		return;
	stream->unauthenticated = true;
	if (stream->call != Method::kSyncMetric)
		RejectUnauthenticated(stream);
}

void ServerSession::RejectUnauthenticated(Stream *stream) {
	services_.stats->auth_failures++;
	std::string who =
	    stream->usernames.size() == 1 ? "key \"" + stream->usernames[0] + "\"" : "no or repeated username";
	if (services_.throttle->RecordFailure(peer_, services_.monotonic_us()))
		log::Write(log::Level::kWarning, "authentication failed for " + who + " from " + peer_);
	Decide(stream, StatusCode::kUnauthenticated, kUnauthenticatedMessage);
}

void ServerSession::BodyComplete(Stream *stream) {
	if (stream->phase != Stream::Phase::kBody)
		return;
	grpc::CallStatus status = stream->body->Finish();
	if (!status.ok()) {
		Decide(stream, status.code, std::move(status.message));
		return;
	}
	std::string message = stream->body->TakeMessage();
	stream->body.reset();
	if (stream->deadline_us != 0 && stream->deadline_us <= services_.monotonic_us()) {
		Decide(stream, StatusCode::kDeadlineExceeded, "deadline exceeded before the call was handled");
		return;
	}
	CallVerdict verdict = CheckCall(*stream, message, config_.limits);
	if (verdict.unauthenticated) {
		RejectUnauthenticated(stream);
		return;
	}
	if (!verdict.store) {
		Decide(stream, verdict.code, std::move(verdict.message));
		return;
	}
	verdict.record.deadline_us = stream->deadline_us;
	verdict.record.payload = std::move(message);
	std::optional<Refusal> refused =
	    services_.sink->Submit(CallRef{connection_id_, stream->id}, std::move(verdict.record));
	if (refused) {
		Decide(stream, refused->code, std::move(refused->message));
		return;
	}
	stream->phase = Stream::Phase::kQueued;
}

void ServerSession::Decide(Stream *stream, StatusCode code, std::string message) {
	if (stream->phase == Stream::Phase::kAnswered)
		return;
	stream->phase = Stream::Phase::kAnswered;
	stream->body.reset();
	stream->status = code;
	stream->message = std::move(message);
	stream->reply_pending = true;
	decided_.push_back(stream->id);
}

void ServerSession::DecideHttp(Stream *stream, int http_status) {
	stream->http_status = http_status;
	Decide(stream, StatusCode::kUnknown, "");
}

void ServerSession::ApplyDecisions() {
	// Bodies completed during this Receive: validate and queue them (real work, outside the
	// callbacks). A stream can be closed already when a client reset follows END_STREAM.
	std::vector<int32_t> complete;
	complete.swap(complete_);
	for (int32_t id : complete)
		if (Stream *stream = Find(id))
			BodyComplete(stream);
	std::vector<int32_t> decided;
	decided.swap(decided_);
	for (int32_t id : decided)
		if (Stream *stream = Find(id))
			SubmitReply(stream);
}

void ServerSession::Complete(int32_t stream_id, StatusCode code, const std::string &message) {
	Stream *stream = Find(stream_id);
	if (!stream || stream->phase != Stream::Phase::kQueued)
		return;
	Decide(stream, code, message);
	ApplyDecisions();
}

void ServerSession::Tick(int64_t now_us) {
	for (auto &[id, stream] : streams_) {
		if (stream->phase == Stream::Phase::kHeaders || stream->phase == Stream::Phase::kBody) {
			if (stream->deadline_us != 0 && stream->deadline_us <= now_us)
				Decide(stream.get(), StatusCode::kDeadlineExceeded,
				       "deadline exceeded while receiving the request");
			else if (stream->started_us + config_.request_timeout_us <= now_us)
				Decide(stream.get(), StatusCode::kDeadlineExceeded,
				       "request not received completely within " +
				           std::to_string(config_.request_timeout_us / 1000) +
				           " ms (pgwatch_rpc.request_timeout)");
		}
	}
	ApplyDecisions();
}

void ServerSession::SubmitReply(Stream *stream) {
	if (!stream->reply_pending)
		return;
	stream->reply_pending = false;
	int32_t id = stream->id;
	int rv;
	if (stream->http_status != 200) {
		std::string status = std::to_string(stream->http_status);
		nghttp2_nv nva[] = {Nv(":status", status)};
		rv = nghttp2_submit_response(session_, id, nva, 1, nullptr);
	} else {
		std::string content_type = stream->proto_suffix ? "application/grpc+proto" : "application/grpc";
		std::string accept(grpc::kAcceptEncoding);
		if (stream->method_known) {
			services_.stats->Count(stream->call, stream->status);
			stream->method_known = false; // count each call once
		}
		if (stream->status == StatusCode::kOk) {
			stream->response = grpc::EncodeReplyFrame("");
			stream->response_sent = 0;
			nghttp2_nv nva[] = {Nv(":status", "200"), Nv("content-type", content_type),
			                    Nv("grpc-accept-encoding", accept)};
			nghttp2_data_provider provider{};
			provider.source.ptr = stream;
			provider.read_callback = ReadResponse;
			rv = nghttp2_submit_response(session_, id, nva, 3, &provider);
		} else {
			// GRPC.md §9 Trailers-Only: content-type is mandatory, grpc-message percent-encoded.
			std::string code = std::to_string(static_cast<int>(stream->status));
			std::string text = grpc::EncodeGrpcMessage(stream->message);
			nghttp2_nv nva[] = {Nv(":status", "200"), Nv("content-type", content_type),
			                    Nv("grpc-status", code), Nv("grpc-accept-encoding", accept),
			                    Nv("grpc-message", text)};
			rv = nghttp2_submit_response(session_, id, nva, text.empty() ? 4 : 5, nullptr);
		}
	}
	if (rv != 0) {
		log::Write(log::Level::kDebug, std::string("cannot reply on stream: ") + nghttp2_strerror(rv));
		return;
	}
	// GRPC.md §9 early close: stop a client that is still uploading. The RST_STREAM goes out
	// once our HEADERS are on the wire (OnFrameSend): nghttp2 sends RST_STREAM ahead of
	// queued HEADERS and would then drop them with the stream.
	if (stream->status != StatusCode::kOk || stream->http_status != 200)
		stream->reset_after_reply = true;
}

ssize_t ServerSession::ReadResponse(nghttp2_session *session, int32_t stream_id, uint8_t *buf, size_t length,
                                    uint32_t *data_flags, nghttp2_data_source *source, void *) {
	Stream *stream = static_cast<Stream *>(source->ptr);
	size_t left = stream->response.size() - stream->response_sent;
	size_t n = left < length ? left : length;
	std::memcpy(buf, stream->response.data() + stream->response_sent, n);
	stream->response_sent += n;
	if (stream->response_sent == stream->response.size()) {
		*data_flags |= NGHTTP2_DATA_FLAG_EOF | NGHTTP2_DATA_FLAG_NO_END_STREAM;
		nghttp2_nv trailers[] = {Nv("grpc-status", "0")};
		if (nghttp2_submit_trailer(session, stream_id, trailers, 1) != 0)
			return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
	}
	return static_cast<ssize_t>(n);
}

void ServerSession::BeginShutdown() {
	if (shutdown_started_)
		return;
	shutdown_started_ = true;
	nghttp2_submit_shutdown_notice(session_);
	nghttp2_submit_ping(session_, NGHTTP2_FLAG_NONE, reinterpret_cast<const uint8_t *>(kPingPayload));
}

void ServerSession::FinishShutdown() {
	nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE, nghttp2_session_get_last_proc_stream_id(session_),
	                      NGHTTP2_NO_ERROR, nullptr, 0);
}

void ServerSession::Terminate(uint32_t error_code) {
	nghttp2_session_terminate_session(session_, error_code);
}

} // namespace pgwatch_rpc::h2
