// The measurement rpc_sink_test sends through a sink: one row of metric
// pgwatch_rpc_sink_test from source "pgwatch_rpc", tagged with the sink's name, so a user
// finds it at the target and can tell it from pgwatch's own data.
#pragma once

#include <string>

namespace pgwatch_rpc::sender {

constexpr const char *kTestMetric = "pgwatch_rpc_sink_test";
constexpr const char *kTestSource = "pgwatch_rpc";

// TestMeasurementPayload: the MeasurementEnvelope's protobuf bytes, as the spool holds them.
std::string TestMeasurementPayload(const std::string &sink_name, double epoch_ns);

} // namespace pgwatch_rpc::sender
