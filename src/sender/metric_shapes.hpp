// The pgwatch metrics the sender and the benchmarks imitate: for each metric its tag_* columns
// and numeric columns, and whether it reports one row per database object (tables, indexes,
// statements: tens to hundreds of rows) or a few instance-wide rows. Names follow pgwatch's
// built-in metric definitions so that sinks create the same tables pgwatch would.
#pragma once

#include <string>
#include <vector>

namespace pgwatch_rpc::sender {

struct MetricShape {
	const char *name;
	std::vector<const char *> tags;
	std::vector<const char *> numbers;
	bool per_object; // one row per table/index/statement rather than a few per instance
};

// AllShapes lists every metric the generator knows, instance-wide ones first.
const std::vector<MetricShape> &AllShapes();

// FindShape returns the shape called name, or nullptr.
const MetricShape *FindShape(const std::string &name);

// kDefaultMetrics is what `pgwatch-rpc send` sends without --metrics: pgwatch's "basic"
// flavour of instance and per-table metrics.
constexpr const char *kDefaultMetrics =
    "db_stats,table_stats,wal,backends,bgwriter,locks,index_stats,db_size";

} // namespace pgwatch_rpc::sender
