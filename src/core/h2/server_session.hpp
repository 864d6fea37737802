// One HTTP/2 server connection speaking pgwatch's Receiver service (GRPC.md §4–§13) on top
// of nghttp2, with no I/O of its own: Receive() takes bytes from the transport, Produce()
// yields bytes for it. nghttp2 callbacks only record; decisions are applied after
// nghttp2_session_mem_recv returns (GRPC.md §4, STYLE.md §6.2 rule 4). Complete() is how the
// group committer answers a queued call once its batch has committed.
#pragma once
#include "core/auth/failure_throttle.hpp"
#include "core/core_only.hpp"
#include "core/h2/call.hpp"
#include "core/h2/call_stats.hpp"
#include "core/h2/ping_policy.hpp"
#include "core/h2/session_config.hpp"
#include "core/h2/stream.hpp"
#include "core/h2/token_bucket.hpp"

#include <nghttp2/nghttp2.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace pgwatch_rpc::h2 {

// What a session uses but does not own; shared by all connections of the process.
struct SessionServices {
	const KeyStore *keys = nullptr;
	auth::FailureThrottle *throttle = nullptr;
	CallSink *sink = nullptr;
	CallStats *stats = nullptr;
	std::function<int64_t()> monotonic_us; // deadlines
	std::function<int64_t()> wall_us;      // key expiry
	bool *shutting_down = nullptr;         // admission (GRPC.md §12)
};

class ServerSession {
public:
	// Throws std::runtime_error if nghttp2 cannot create the session.
	ServerSession(uint64_t connection_id, std::string peer, const SessionConfig &config,
	              SessionServices services);
	~ServerSession();
	ServerSession(const ServerSession &) = delete;
	ServerSession &operator=(const ServerSession &) = delete;

	// Receive feeds bytes read from the peer. False = fatal: close the connection (after
	// flushing what Produce still yields, e.g. a GOAWAY).
	bool Receive(const uint8_t *data, size_t size);
	// Produce appends pending output to *out until it holds at least max_bytes or nghttp2 has
	// nothing more. False = fatal.
	bool Produce(std::string *out, size_t max_bytes);

	// Complete answers a call the sink queued (ok → Reply message + grpc-status 0). Unknown
	// or already-closed streams are ignored (the client went away).
	void Complete(int32_t stream_id, grpc::StatusCode code, const std::string &message);

	// Tick enforces per-request deadlines (header/body timeout, grpc-timeout).
	void Tick(int64_t now_us);

	// Graceful shutdown (GRPC.md §12): step 1 GOAWAY(max id) + PING, step 2 the final GOAWAY
	// with the last processed stream, and Terminate for the grace deadline.
	void BeginShutdown();
	void FinishShutdown();
	void Terminate(uint32_t error_code);
	bool shutdown_ping_acked() const { return shutdown_ping_acked_; }

	bool WantsIo() const;    // false once nghttp2 neither wants to read nor write
	bool WantsWrite() const; // output pending inside nghttp2
	size_t active_streams() const { return streams_.size(); }
	size_t outbound_queue() const;
	// The client's preface and SETTINGS arrived (the h2c/TLS "handshake" deadline ends).
	bool client_settings_seen() const { return client_settings_seen_; }

private:
	static int OnBeginHeaders(nghttp2_session *, const nghttp2_frame *frame, void *user_data);
	static int OnHeader(nghttp2_session *, const nghttp2_frame *frame, const uint8_t *name, size_t namelen,
	                    const uint8_t *value, size_t valuelen, uint8_t flags, void *user_data);
	static int OnFrameRecv(nghttp2_session *, const nghttp2_frame *frame, void *user_data);
	static int OnFrameSend(nghttp2_session *, const nghttp2_frame *frame, void *user_data);
	static int OnDataChunk(nghttp2_session *, uint8_t flags, int32_t stream_id, const uint8_t *data,
	                       size_t len, void *user_data);
	static int OnStreamClose(nghttp2_session *, int32_t stream_id, uint32_t error_code, void *user_data);
	static int OnInvalidFrame(nghttp2_session *, const nghttp2_frame *frame, int lib_error_code,
	                          void *user_data);
	static int OnError(nghttp2_session *, int lib_error_code, const char *msg, size_t len, void *user_data);
	static ssize_t ReadResponse(nghttp2_session *, int32_t stream_id, uint8_t *buf, size_t length,
	                            uint32_t *data_flags, nghttp2_data_source *source, void *user_data);

	void HeadersComplete(Stream *stream);
	void Authenticate(Stream *stream);
	void RejectUnauthenticated(Stream *stream);
	void BodyComplete(Stream *stream);
	void Decide(Stream *stream, grpc::StatusCode code, std::string message);
	void DecideHttp(Stream *stream, int http_status);
	void ApplyDecisions();
	void SubmitReply(Stream *stream);
	void Glitch();
	Stream *Find(int32_t stream_id);

	uint64_t connection_id_;
	std::string peer_;
	SessionConfig config_;
	SessionServices services_;
	nghttp2_session *session_ = nullptr;
	std::map<int32_t, std::unique_ptr<Stream>> streams_;
	std::vector<int32_t> decided_;  // streams with a reply to submit
	std::vector<int32_t> complete_; // streams whose request body is complete
	PingPolicy pings_;
	TokenBucket glitches_;
	bool fatal_ = false; // set in callbacks: close after this Receive
	uint32_t fatal_code_ = NGHTTP2_NO_ERROR;
	const char *fatal_debug_ = nullptr;
	bool client_settings_seen_ = false;
	bool shutdown_ping_acked_ = false;
	bool shutdown_started_ = false;
	bool close_after_flush_ = false; // GOAWAY too_many_pings sent
};

} // namespace pgwatch_rpc::h2
