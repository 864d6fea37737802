// The stats object of pgwatch_rpc.listener_status (listener/status_json): its keys are read
// by rpc_stat_listener, so their names and shapes are pinned here.
#include "core/listener/status_json.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace pgwatch_rpc::listener {
namespace {

TEST(ListenerStatusJson, HasEveryDocumentedKey) {
	h2::CallStats calls;
	calls.Count(grpc::Method::kUpdateMeasurements, grpc::StatusCode::kOk);
	calls.Count(grpc::Method::kUpdateMeasurements, grpc::StatusCode::kOk);
	calls.Count(grpc::Method::kSyncMetric, grpc::StatusCode::kInvalidArgument);
	calls.auth_failures = 4;
	spool::WriterStats writer;
	writer.rows = 10;
	writer.bytes = 2048;
	writer.batches = 2;
	writer.commit_latency_ms.Add(1.5);
	writer.commit_latency_ms.Add(3.0);
	writer.last_error = "database: \"quoted\"\nnext";
	writer.last_error_at_us = 1'700'000'000'123'456;
	StatusInputs in;
	in.connections = 3;
	in.connections_total = 7;
	in.calls = &calls;
	in.writer = &writer;
	in.loop_max_ms = 0.25;

	nlohmann::json j = nlohmann::json::parse(RenderStatusJson(in));
	EXPECT_EQ(j["connections"], 3);
	EXPECT_EQ(j["connections_total"], 7);
	EXPECT_EQ(j["calls"]["UpdateMeasurements"]["OK"], 2);
	EXPECT_EQ(j["calls"]["SyncMetric"]["INVALID_ARGUMENT"], 1);
	EXPECT_TRUE(j["calls"]["DefineMetrics"].empty());
	EXPECT_EQ(j["rows"], 10);
	EXPECT_EQ(j["bytes"], 2048);
	EXPECT_EQ(j["auth_failures"], 4);
	EXPECT_EQ(j["batches"], 2);
	EXPECT_DOUBLE_EQ(j["commit_latency_ms"]["p50"].get<double>(), 1.5);
	EXPECT_DOUBLE_EQ(j["commit_latency_ms"]["max"].get<double>(), 3.0);
	EXPECT_TRUE(j["commit_latency_ms"].contains("p90"));
	EXPECT_TRUE(j["commit_latency_ms"].contains("p99"));
	EXPECT_DOUBLE_EQ(j["loop_max_ms"].get<double>(), 0.25);
	EXPECT_EQ(j["last_error"], "database: \"quoted\"\nnext");
	EXPECT_EQ(j["last_error_at"], "2023-11-14T22:13:20.123456Z");
}

TEST(ListenerStatusJson, NoErrorYetIsNull) {
	h2::CallStats calls;
	spool::WriterStats writer;
	StatusInputs in;
	in.calls = &calls;
	in.writer = &writer;
	nlohmann::json j = nlohmann::json::parse(RenderStatusJson(in));
	EXPECT_TRUE(j["last_error"].is_null());
	EXPECT_TRUE(j["last_error_at"].is_null());
	EXPECT_EQ(j["commit_latency_ms"]["p99"], 0);
}

TEST(ListenerLatencyWindow, KeepsTheLastThousandSamples) {
	spool::LatencyWindow window;
	for (int i = 0; i < 1500; i++)
		window.Add(i < 500 ? 1000.0 : 1.0);
	EXPECT_EQ(window.size(), spool::LatencyWindow::kCapacity);
	EXPECT_DOUBLE_EQ(window.Max(), 1.0);
	EXPECT_DOUBLE_EQ(window.Percentile(99), 1.0);
}

} // namespace
} // namespace pgwatch_rpc::listener
