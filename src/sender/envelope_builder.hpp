// Builds one pgwatch-shaped MeasurementEnvelope (DESIGN.md §2): every row carries epoch_ns as a
// double (all rows of one measurement share it, as pgwatch stamps them), the metric's tag_*
// strings and numeric columns as doubles; CustomTags are per-source tags. Shared by
// `pgwatch-rpc send` and the benchmarks so that both produce the same kind of data.
#pragma once

#include "pgwatch.pb.h"
#include "sender/metric_shapes.hpp"

#include <random>
#include <string>

namespace pgwatch_rpc::sender {

// Envelope size classes of issue #2's mix: 1–5 rows, 20–100 rows, 300–500 rows.
enum class SizeClass { kSmall, kMedium, kLarge };

// RowCount draws a number of rows of size class cls.
int RowCount(SizeClass cls, std::mt19937_64 &rng);

// NaturalSizeClass draws the size class a metric of this shape usually has: instance-wide
// metrics are small; per-object metrics are medium, and large for one envelope in seven
// (databases with hundreds of tables).
SizeClass NaturalSizeClass(const MetricShape &shape, std::mt19937_64 &rng);

// BuildEnvelope returns an envelope of nrows rows of metric shape for source dbname.
MeasurementEnvelope BuildEnvelope(const std::string &dbname, const MetricShape &shape, int nrows,
                                  double epoch_ns, std::mt19937_64 &rng);

} // namespace pgwatch_rpc::sender
