// The HTTP/2 server session driven in memory by an nghttp2 CLIENT session (STYLE.md §6.5:
// no sockets): request validation order (GRPC.md §5), authentication (§7), framing limits
// (§8), replies (§9), header-list limit (§4) and PING strikes (§11). A fake CallSink stands
// in for the group committer, so "the commit completes" is a call to Complete().
#include "core/auth/key_secret.hpp"
#include "core/h2/server_session.hpp"

#include "pgwatch.pb.h"

#include <gtest/gtest.h>
#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pgwatch_rpc::h2 {
namespace {
using grpc::StatusCode;

class FakeSink : public CallSink {
public:
	std::optional<Refusal> Submit(CallRef ref, SpoolRecord record) override {
		if (refusal)
			return refusal;
		submitted.push_back({ref, std::move(record)});
		return std::nullopt;
	}
	void Cancel(CallRef ref) override { cancelled.push_back(ref); }
	std::vector<std::pair<CallRef, SpoolRecord>> submitted;
	std::vector<CallRef> cancelled;
	std::optional<Refusal> refusal;
};

// What the client saw on one stream.
struct Response {
	std::map<std::string, std::string> headers; // response headers and trailers together
	std::string data;
	bool closed = false;
	uint32_t close_code = 0;
	bool reset_by_server = false;
};

class Harness {
public:
	explicit Harness(SessionConfig config = SessionConfig()) {
		auth::KeyEntry key;
		key.name = "default";
		key.hash = auth::HashSecret("s3cret");
		auth::KeyEntry limited;
		limited.name = "limited";
		limited.hash = auth::HashSecret("lim");
		limited.source_patterns = {"db1*"};
		keys.cache.Replace({key, limited});
		keys.loaded = true;
		SessionServices services;
		services.keys = &keys;
		services.throttle = &throttle;
		services.sink = &sink;
		services.stats = &stats;
		services.monotonic_us = [this] { return now_us; };
		services.wall_us = [] { return int64_t{1'700'000'000'000'000}; };
		services.shutting_down = &shutting_down;
		server = std::make_unique<ServerSession>(1, "192.0.2.1", config, services);

		nghttp2_session_callbacks *callbacks;
		nghttp2_session_callbacks_new(&callbacks);
		nghttp2_session_callbacks_set_on_header_callback(
		    callbacks,
		    [](nghttp2_session *, const nghttp2_frame *frame, const uint8_t *name, size_t namelen,
		       const uint8_t *value, size_t valuelen, uint8_t, void *user_data) -> int {
			    auto *self = static_cast<Harness *>(user_data);
			    self->responses[frame->hd.stream_id]
			        .headers[std::string(reinterpret_cast<const char *>(name), namelen)] =
			        std::string(reinterpret_cast<const char *>(value), valuelen);
			    return 0;
		    });
		nghttp2_session_callbacks_set_on_data_chunk_recv_callback(
		    callbacks,
		    [](nghttp2_session *, uint8_t, int32_t stream_id, const uint8_t *data, size_t len,
		       void *user_data) -> int {
			    static_cast<Harness *>(user_data)->responses[stream_id].data.append(
			        reinterpret_cast<const char *>(data), len);
			    return 0;
		    });
		nghttp2_session_callbacks_set_on_frame_recv_callback(
		    callbacks, [](nghttp2_session *, const nghttp2_frame *frame, void *user_data) -> int {
			    auto *self = static_cast<Harness *>(user_data);
			    if (frame->hd.type == NGHTTP2_RST_STREAM)
				    self->responses[frame->hd.stream_id].reset_by_server = true;
			    if (frame->hd.type == NGHTTP2_GOAWAY) {
				    self->goaway_code = frame->goaway.error_code;
				    self->goaway_debug.assign(reinterpret_cast<const char *>(frame->goaway.opaque_data),
				                              frame->goaway.opaque_data_len);
			    }
			    return 0;
		    });
		nghttp2_session_callbacks_set_on_stream_close_callback(
		    callbacks, [](nghttp2_session *, int32_t stream_id, uint32_t error_code, void *user_data) -> int {
			    auto &response = static_cast<Harness *>(user_data)->responses[stream_id];
			    response.closed = true;
			    response.close_code = error_code;
			    return 0;
		    });
		nghttp2_session_client_new(&client, callbacks, this);
		nghttp2_session_callbacks_del(callbacks);
		nghttp2_submit_settings(client, NGHTTP2_FLAG_NONE, nullptr, 0);
		Pump();
	}
	~Harness() { nghttp2_session_del(client); }

	// Pump moves bytes both ways until neither side has anything to say.
	void Pump() {
		for (int round = 0; round < 100; round++) {
			bool moved = false;
			const uint8_t *chunk;
			ssize_t n;
			while ((n = nghttp2_session_mem_send(client, &chunk)) > 0) {
				moved = true;
				if (!server_failed && !server->Receive(chunk, static_cast<size_t>(n)))
					server_failed = true;
			}
			std::string out;
			ASSERT_TRUE(server->Produce(&out, 1 << 20));
			if (!out.empty()) {
				moved = true;
				nghttp2_session_mem_recv(client, reinterpret_cast<const uint8_t *>(out.data()), out.size());
			}
			if (!moved)
				return;
		}
		FAIL() << "sessions kept talking";
	}

	struct Body {
		std::string bytes;
		size_t sent = 0;
		size_t pause_after = SIZE_MAX; // stop uploading here, keeping the stream open
	};

	// Call sends one request; headers are name/value pairs. body == nullopt: no DATA.
	int32_t Call(std::vector<std::pair<std::string, std::string>> headers, std::optional<std::string> body,
	             size_t pause_after = SIZE_MAX) {
		std::vector<nghttp2_nv> nva;
		for (auto &[name, value] : headers)
			nva.push_back(nghttp2_nv{reinterpret_cast<uint8_t *>(name.data()),
			                         reinterpret_cast<uint8_t *>(value.data()), name.size(), value.size(),
			                         NGHTTP2_NV_FLAG_NONE});
		nghttp2_data_provider provider{};
		Body *state = nullptr;
		if (body) {
			bodies.push_back(std::make_unique<Body>(Body{*body, 0, pause_after}));
			state = bodies.back().get();
			provider.source.ptr = state;
			provider.read_callback = [](nghttp2_session *, int32_t, uint8_t *buf, size_t length,
			                            uint32_t *flags, nghttp2_data_source *source, void *) -> ssize_t {
				auto *b = static_cast<Body *>(source->ptr);
				if (b->sent >= b->pause_after)
					return NGHTTP2_ERR_DEFERRED;
				size_t n = std::min({length, b->bytes.size() - b->sent, b->pause_after - b->sent});
				std::memcpy(buf, b->bytes.data() + b->sent, n);
				b->sent += n;
				if (b->sent == b->bytes.size())
					*flags |= NGHTTP2_DATA_FLAG_EOF;
				return static_cast<ssize_t>(n);
			};
		}
		int32_t id = nghttp2_submit_request(client, nullptr, nva.data(), nva.size(),
		                                    body ? &provider : nullptr, nullptr);
		Pump();
		return id;
	}

	static std::vector<std::pair<std::string, std::string>> GrpcHeaders(std::string path,
	                                                                    bool with_credentials = true) {
		std::vector<std::pair<std::string, std::string>> h = {{":method", "POST"},
		                                                      {":scheme", "http"},
		                                                      {":path", path},
		                                                      {":authority", "localhost"},
		                                                      {"content-type", "application/grpc"},
		                                                      {"te", "trailers"}};
		if (with_credentials) {
			h.push_back({"username", "default"});
			h.push_back({"password", "s3cret"});
		}
		return h;
	}

	static std::string Framed(const std::string &message) {
		std::string out(5, '\0');
		uint32_t n = static_cast<uint32_t>(message.size());
		out[1] = static_cast<char>(n >> 24);
		out[2] = static_cast<char>(n >> 16);
		out[3] = static_cast<char>(n >> 8);
		out[4] = static_cast<char>(n);
		return out + message;
	}

	int GrpcStatus(int32_t id) {
		auto &h = responses[id].headers;
		return h.count("grpc-status") ? std::stoi(h["grpc-status"]) : -1;
	}

	KeyStore keys;
	auth::FailureThrottle throttle;
	FakeSink sink;
	CallStats stats;
	bool shutting_down = false;
	int64_t now_us = 1'000'000;
	std::unique_ptr<ServerSession> server;
	nghttp2_session *client = nullptr;
	bool server_failed = false;
	std::map<int32_t, Response> responses;
	std::vector<std::unique_ptr<Body>> bodies;
	uint32_t goaway_code = 0xffffffff;
	std::string goaway_debug;
};

std::string Envelope(const std::string &dbname = "db1", const std::string &metric = "cpu") {
	MeasurementEnvelope envelope;
	envelope.set_dbname(dbname);
	envelope.set_metricname(metric);
	for (int i = 0; i < 2; i++) {
		auto *row = envelope.add_data();
		(*row->mutable_fields())["epoch_ns"].set_number_value(1.7e18);
		(*row->mutable_fields())["v"].set_number_value(i);
	}
	return envelope.SerializeAsString();
}

TEST(H2ServerSession, ValidCallIsAnsweredOnlyAfterTheCommit) {
	Harness h;
	std::string payload = Envelope();
	int32_t id = h.Call(Harness::GrpcHeaders("/Receiver/UpdateMeasurements"), Harness::Framed(payload));
	ASSERT_EQ(h.sink.submitted.size(), 1u);
	const SpoolRecord &record = h.sink.submitted[0].second;
	EXPECT_EQ(record.kind, "measurement");
	EXPECT_EQ(record.dbname, "db1");
	EXPECT_EQ(record.metric, "cpu");
	EXPECT_EQ(record.nrows, 2);
	EXPECT_EQ(record.key_name, "default");
	EXPECT_EQ(record.payload, payload); // stored exactly as received
	EXPECT_EQ(h.sink.submitted[0].first.stream_id, id);
	// Nothing goes back before the commit.
	EXPECT_TRUE(h.responses[id].headers.empty());

	h.server->Complete(id, StatusCode::kOk, "");
	h.Pump();
	Response &r = h.responses[id];
	EXPECT_EQ(r.headers[":status"], "200");
	EXPECT_EQ(r.headers["content-type"], "application/grpc");
	EXPECT_EQ(h.GrpcStatus(id), 0);
	EXPECT_EQ(r.data, std::string(5, '\0')); // Reply{} framed
	EXPECT_TRUE(r.closed);
	EXPECT_EQ(r.close_code, 0u);
	EXPECT_EQ(h.stats.calls[MethodIndex(Method::kUpdateMeasurements)][0], 1u);
}

TEST(H2ServerSession, CommitFailureIsReportedWithAnEncodedMessage) {
	Harness h;
	int32_t id = h.Call(Harness::GrpcHeaders("/Receiver/UpdateMeasurements"), Harness::Framed(Envelope()));
	h.server->Complete(id, StatusCode::kInternal, "line one\nline two 100%");
	h.Pump();
	EXPECT_EQ(h.GrpcStatus(id), 13);
	EXPECT_EQ(h.responses[id].headers["grpc-message"], "line one%0Aline two 100%25");
	EXPECT_EQ(h.responses[id].headers["content-type"], "application/grpc"); // Trailers-Only
}

TEST(H2ServerSession, MissingMetadataIsUnauthenticated) {
	Harness h;
	int32_t id =
	    h.Call(Harness::GrpcHeaders("/Receiver/UpdateMeasurements", false), Harness::Framed(Envelope()));
	EXPECT_EQ(h.GrpcStatus(id), 16);
	EXPECT_EQ(h.responses[id].headers["grpc-message"],
	          "authentication failed: send a valid key name and secret as metadata username and password "
	          "(pgwatch: grpc://KEYNAME:SECRET@host:port)");
	EXPECT_TRUE(h.sink.submitted.empty());
	EXPECT_EQ(h.stats.auth_failures, 1u);
}

TEST(H2ServerSession, WrongSecretAndDuplicateKeysGetTheSameAnswer) {
	Harness h;
	auto wrong = Harness::GrpcHeaders("/Receiver/UpdateMeasurements", false);
	wrong.push_back({"username", "default"});
	wrong.push_back({"password", "nope"});
	int32_t a = h.Call(wrong, Harness::Framed(Envelope()));
	auto twice = Harness::GrpcHeaders("/Receiver/UpdateMeasurements");
	twice.push_back({"password", "s3cret"});
	int32_t b = h.Call(twice, Harness::Framed(Envelope()));
	EXPECT_EQ(h.GrpcStatus(a), 16);
	EXPECT_EQ(h.GrpcStatus(b), 16);
	EXPECT_EQ(h.responses[a].headers["grpc-message"], h.responses[b].headers["grpc-message"]);
	EXPECT_TRUE(h.sink.submitted.empty());
}

TEST(H2ServerSession, EmptyPingNeedsNoCredentialsButCarriesNothing) {
	Harness h;
	int32_t ping = h.Call(Harness::GrpcHeaders("/Receiver/SyncMetric", false), Harness::Framed(""));
	EXPECT_EQ(h.GrpcStatus(ping), 0);
	SyncReq add;
	add.set_dbname("db1");
	add.set_operation(AddOp);
	int32_t data =
	    h.Call(Harness::GrpcHeaders("/Receiver/SyncMetric", false), Harness::Framed(add.SerializeAsString()));
	EXPECT_EQ(h.GrpcStatus(data), 16);
	EXPECT_TRUE(h.sink.submitted.empty());
}

TEST(H2ServerSession, AuthenticatedSyncAndDefineAreStored) {
	Harness h;
	SyncReq add;
	add.set_dbname("db1");
	add.set_metricname("cpu");
	add.set_operation(AddOp);
	h.Call(Harness::GrpcHeaders("/Receiver/SyncMetric"), Harness::Framed(add.SerializeAsString()));
	google::protobuf::Struct defs;
	(*defs.mutable_fields())["cpu"].set_string_value("SELECT 1");
	h.Call(Harness::GrpcHeaders("/Receiver/DefineMetrics"), Harness::Framed(defs.SerializeAsString()));
	ASSERT_EQ(h.sink.submitted.size(), 2u);
	EXPECT_EQ(h.sink.submitted[0].second.kind, "sync");
	EXPECT_EQ(h.sink.submitted[0].second.dbname, "db1");
	EXPECT_EQ(h.sink.submitted[0].second.metric, "cpu");
	EXPECT_EQ(h.sink.submitted[1].second.kind, "define");
}

TEST(H2ServerSession, InvalidOpPingWithGoodCredentialsIsNotStored) {
	Harness h;
	int32_t id = h.Call(Harness::GrpcHeaders("/Receiver/SyncMetric"), Harness::Framed(""));
	EXPECT_EQ(h.GrpcStatus(id), 0);
	EXPECT_TRUE(h.sink.submitted.empty());
}

TEST(H2ServerSession, GetIs405) {
	Harness h;
	auto headers = Harness::GrpcHeaders("/Receiver/UpdateMeasurements");
	headers[0].second = "GET";
	int32_t id = h.Call(headers, std::nullopt);
	EXPECT_EQ(h.responses[id].headers[":status"], "405");
	EXPECT_EQ(h.GrpcStatus(id), -1);
}

TEST(H2ServerSession, WrongContentTypeIs415) {
	Harness h;
	auto headers = Harness::GrpcHeaders("/Receiver/UpdateMeasurements");
	headers[4].second = "application/json";
	int32_t id = h.Call(headers, Harness::Framed(Envelope()));
	EXPECT_EQ(h.responses[id].headers[":status"], "415");
	EXPECT_TRUE(h.sink.submitted.empty());
}

TEST(H2ServerSession, UnknownMethodIsUnimplemented) {
	Harness h;
	int32_t id = h.Call(Harness::GrpcHeaders("/Receiver/Nope"), Harness::Framed(""));
	EXPECT_EQ(h.GrpcStatus(id), 12);
	int32_t other = h.Call(Harness::GrpcHeaders("/receiver/UpdateMeasurements"), Harness::Framed(""));
	EXPECT_EQ(h.GrpcStatus(other), 12);
}

TEST(H2ServerSession, OversizedPrefixIsRefusedAtOnce) {
	SessionConfig config;
	config.max_message_size = 1024;
	Harness h(config);
	// The prefix claims 1 GiB; only the prefix is sent, and the client keeps the stream open.
	std::string prefix("\0\x40\0\0\0", 5);
	int32_t id = h.Call(Harness::GrpcHeaders("/Receiver/UpdateMeasurements"), prefix + std::string(10, 'x'));
	EXPECT_EQ(h.GrpcStatus(id), 8);
	EXPECT_NE(h.responses[id].headers["grpc-message"].find("larger than max"), std::string::npos);
	EXPECT_TRUE(h.sink.submitted.empty());
}

TEST(H2ServerSession, EarlyErrorResetsAStillUploadingStream) {
	SessionConfig config;
	config.max_message_size = 1024;
	Harness h(config);
	// The client uploads the first 2000 bytes of a large message and pauses: the reply must
	// come now, followed by RST_STREAM(NO_ERROR) so the client stops uploading.
	std::string body = Harness::Framed(std::string(100000, 'x'));
	int32_t id = h.Call(Harness::GrpcHeaders("/Receiver/UpdateMeasurements"), body, 2000);
	EXPECT_EQ(h.GrpcStatus(id), 8);
	EXPECT_TRUE(h.responses[id].reset_by_server);
	EXPECT_EQ(h.responses[id].close_code, 0u); // RST_STREAM(NO_ERROR)
}

TEST(H2ServerSession, TooManyHeaderBytesResetTheStream) {
	Harness h;
	auto headers = Harness::GrpcHeaders("/Receiver/UpdateMeasurements");
	for (int i = 0; i < 40; i++)
		headers.push_back({"x-filler-" + std::to_string(i), std::string(1000, 'a')});
	int32_t id = h.Call(headers, Harness::Framed(Envelope()));
	EXPECT_TRUE(h.responses[id].closed);
	EXPECT_NE(h.responses[id].close_code, 0u);
	EXPECT_EQ(h.GrpcStatus(id), -1);
	EXPECT_TRUE(h.sink.submitted.empty());
	// The connection itself survives: a normal call still works.
	int32_t ok = h.Call(Harness::GrpcHeaders("/Receiver/SyncMetric"), Harness::Framed(""));
	EXPECT_EQ(h.GrpcStatus(ok), 0);
}

TEST(H2ServerSession, InvalidEnvelopeIsInvalidArgument) {
	Harness h;
	int32_t id =
	    h.Call(Harness::GrpcHeaders("/Receiver/UpdateMeasurements"), Harness::Framed(Envelope("db1", "")));
	EXPECT_EQ(h.GrpcStatus(id), 3);
	int32_t junk =
	    h.Call(Harness::GrpcHeaders("/Receiver/UpdateMeasurements"), Harness::Framed("\xff\xff\xff"));
	EXPECT_EQ(h.GrpcStatus(junk), 13);
	EXPECT_EQ(h.responses[junk].headers["grpc-message"].rfind("error parsing request", 0), 0u);
	EXPECT_TRUE(h.sink.submitted.empty());
}

TEST(H2ServerSession, SourceRestrictionIsPermissionDenied) {
	Harness h;
	auto headers = Harness::GrpcHeaders("/Receiver/UpdateMeasurements", false);
	headers.push_back({"username", "limited"});
	headers.push_back({"password", "lim"});
	int32_t denied = h.Call(headers, Harness::Framed(Envelope("other")));
	EXPECT_EQ(h.GrpcStatus(denied), 7);
	h.Call(headers, Harness::Framed(Envelope("db1-prod")));
	EXPECT_EQ(h.sink.submitted.size(), 1u);
}

TEST(H2ServerSession, SinkRefusalIsPassedOn) {
	Harness h;
	h.sink.refusal =
	    Refusal{StatusCode::kUnavailable, "database unavailable: down; nothing was stored, retry"};
	int32_t id = h.Call(Harness::GrpcHeaders("/Receiver/UpdateMeasurements"), Harness::Framed(Envelope()));
	EXPECT_EQ(h.GrpcStatus(id), 14);
}

TEST(H2ServerSession, KeysNotLoadedIsUnavailable) {
	Harness h;
	h.keys.loaded = false;
	int32_t id = h.Call(Harness::GrpcHeaders("/Receiver/UpdateMeasurements"), Harness::Framed(Envelope()));
	EXPECT_EQ(h.GrpcStatus(id), 14);
}

TEST(H2ServerSession, ClientCancelDropsTheQueuedCall) {
	Harness h;
	int32_t id = h.Call(Harness::GrpcHeaders("/Receiver/UpdateMeasurements"), Harness::Framed(Envelope()));
	nghttp2_submit_rst_stream(h.client, NGHTTP2_FLAG_NONE, id, NGHTTP2_CANCEL);
	h.Pump();
	ASSERT_EQ(h.sink.cancelled.size(), 1u);
	EXPECT_EQ(h.sink.cancelled[0].stream_id, id);
	h.server->Complete(id, StatusCode::kOk, ""); // the late commit finds no stream: ignored
	h.Pump();
	EXPECT_EQ(h.GrpcStatus(id), -1);
}

TEST(H2ServerSession, RequestTimeoutAnswersDeadlineExceeded) {
	Harness h;
	// Headers only, no END_STREAM: the body never comes.
	auto headers = Harness::GrpcHeaders("/Receiver/UpdateMeasurements");
	std::vector<nghttp2_nv> nva;
	for (auto &[name, value] : headers)
		nva.push_back(nghttp2_nv{reinterpret_cast<uint8_t *>(name.data()),
		                         reinterpret_cast<uint8_t *>(value.data()), name.size(), value.size(),
		                         NGHTTP2_NV_FLAG_NONE});
	int32_t id =
	    nghttp2_submit_headers(h.client, NGHTTP2_FLAG_NONE, -1, nullptr, nva.data(), nva.size(), nullptr);
	h.Pump();
	h.now_us += 31'000'000;
	h.server->Tick(h.now_us);
	h.Pump();
	EXPECT_EQ(h.GrpcStatus(id), 4);
}

TEST(H2ServerSession, PingsWithoutCallsEarnGoawayTooManyPings) {
	Harness h;
	uint8_t opaque[8] = {};
	for (int i = 0; i < 4; i++) {
		nghttp2_submit_ping(h.client, NGHTTP2_FLAG_NONE, opaque);
		h.Pump();
	}
	EXPECT_EQ(h.goaway_code, static_cast<uint32_t>(NGHTTP2_ENHANCE_YOUR_CALM));
	EXPECT_EQ(h.goaway_debug, "too_many_pings");
}

TEST(H2ServerSession, RepliesResetPingStrikes) {
	Harness h;
	uint8_t opaque[8] = {};
	for (int i = 0; i < 6; i++) {
		nghttp2_submit_ping(h.client, NGHTTP2_FLAG_NONE, opaque);
		h.Pump();
		// A call answered between pings, like grpc-go's BDP pings after our DATA.
		int32_t id = h.Call(Harness::GrpcHeaders("/Receiver/SyncMetric"), Harness::Framed(""));
		EXPECT_EQ(h.GrpcStatus(id), 0);
	}
	EXPECT_EQ(h.goaway_code, 0xffffffffu);
}

TEST(H2ServerSession, ShutdownRefusesNewCallsWithUnavailable) {
	Harness h;
	h.shutting_down = true;
	int32_t id = h.Call(Harness::GrpcHeaders("/Receiver/UpdateMeasurements"), Harness::Framed(Envelope()));
	EXPECT_EQ(h.GrpcStatus(id), 14);
}

} // namespace
} // namespace pgwatch_rpc::h2
