// Rendering of listener_status.stats (see status_json.hpp).
#include "core/listener/status_json.hpp"

#include "core/loop/clock.hpp"
#include "core/wire/json_text.hpp"

namespace pgwatch_rpc::listener {
namespace {
void Key(std::string_view key, std::string *out) {
	wire::AppendJsonString(key, out);
	*out += ':';
}

void Number(double value, std::string *out) {
	// Milliseconds with microsecond resolution are plenty; keeps the JSON short.
	wire::AppendJsonNumber(static_cast<double>(static_cast<int64_t>(value * 1000.0 + 0.5)) / 1000.0, out);
}
} // namespace

std::string RenderStatusJson(const StatusInputs &in) {
	std::string out = "{";
	Key("connections", &out);
	out += std::to_string(in.connections) + ",";
	Key("connections_total", &out);
	out += std::to_string(in.connections_total) + ",";
	Key("calls", &out);
	out += '{';
	for (int m = 0; m < h2::kMethodCount; m++) {
		if (m > 0)
			out += ',';
		Key(grpc::MethodName(
		        static_cast<grpc::Method>(m + static_cast<int>(grpc::Method::kUpdateMeasurements))),
		    &out);
		out += '{';
		bool first = true;
		for (int s = 0; s < h2::kStatusCount; s++) {
			uint64_t n = in.calls->calls[m][s];
			if (n == 0)
				continue;
			if (!first)
				out += ',';
			first = false;
			Key(grpc::StatusName(static_cast<grpc::StatusCode>(s)), &out);
			out += std::to_string(n);
		}
		out += '}';
	}
	out += "},";
	Key("rows", &out);
	out += std::to_string(in.writer->rows) + ",";
	Key("bytes", &out);
	out += std::to_string(in.writer->bytes) + ",";
	Key("auth_failures", &out);
	out += std::to_string(in.calls->auth_failures) + ",";
	Key("batches", &out);
	out += std::to_string(in.writer->batches) + ",";
	Key("commit_latency_ms", &out);
	const spool::LatencyWindow &latency = in.writer->commit_latency_ms;
	out += '{';
	Key("p50", &out);
	Number(latency.Percentile(50), &out);
	out += ',';
	Key("p90", &out);
	Number(latency.Percentile(90), &out);
	out += ',';
	Key("p99", &out);
	Number(latency.Percentile(99), &out);
	out += ',';
	Key("max", &out);
	Number(latency.Max(), &out);
	out += "},";
	Key("loop_max_ms", &out);
	Number(in.loop_max_ms, &out);
	out += ',';
	Key("last_error", &out);
	if (in.writer->last_error.empty())
		out += "null";
	else
		wire::AppendJsonString(in.writer->last_error, &out);
	out += ',';
	Key("last_error_at", &out);
	if (in.writer->last_error_at_us == 0)
		out += "null";
	else
		wire::AppendJsonString(loop::FormatIso8601(in.writer->last_error_at_us), &out);
	out += '}';
	return out;
}

} // namespace pgwatch_rpc::listener
