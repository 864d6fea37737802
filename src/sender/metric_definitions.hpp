// The Struct pgwatch sends with DefineMetrics: its metrics.Metrics value marshalled to JSON
// with Go field names (pgwatch's Metric type has yaml tags only), i.e.
// {"MetricDefs": {name: {"SQLs": {"<pg version>": sql}, "InitSQL", "NodeStatus", "Gauges",
// "IsInstanceLevel", "StorageName", "Description"}}, "PresetDefs": {name: {"Description",
// "Metrics": {name: interval_s}}}}.
#pragma once

#include <google/protobuf/struct.pb.h>

#include <string>
#include <vector>

namespace pgwatch_rpc::sender {

// MetricDefinitions describes the given metrics (names from metric_shapes.hpp) and one
// preset "sender" that collects them every 60 seconds.
google::protobuf::Struct MetricDefinitions(const std::vector<std::string> &metrics);

} // namespace pgwatch_rpc::sender
