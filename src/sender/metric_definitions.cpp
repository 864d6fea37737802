// DefineMetrics payload in pgwatch's shape (see metric_definitions.hpp).
#include "sender/metric_definitions.hpp"

#include "sender/metric_shapes.hpp"

namespace pgwatch_rpc::sender {

namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

// DefinitionSql is a plausible collection query: the metric's columns from a catalog view.
std::string DefinitionSql(const MetricShape &shape) {
	std::string sql = "select (extract(epoch from now()) * 1e9)::int8 as epoch_ns";
	for (const char *tag : shape.tags)
		sql += std::string(", ") + "''::text as " + tag;
	for (const char *number : shape.numbers)
		sql += std::string(", 0::int8 as ") + number;
	return sql;
}

Struct MetricDefinition(const MetricShape &shape) {
	Struct def;
	auto &f = *def.mutable_fields();
	(*f["SQLs"].mutable_struct_value()->mutable_fields())["11"].set_string_value(DefinitionSql(shape));
	f["InitSQL"].set_string_value("");
	f["NodeStatus"].set_string_value("");
	auto &gauges = *f["Gauges"].mutable_list_value();
	gauges.add_values()->set_string_value("*");
	f["IsInstanceLevel"].set_bool_value(!shape.per_object);
	f["StorageName"].set_string_value("");
	f["Description"].set_string_value(std::string("pgwatch's ") + shape.name +
	                                  " metric, imitated by pgwatch-rpc send");
	return def;
}

} // namespace

Struct MetricDefinitions(const std::vector<std::string> &metrics) {
	Struct root;
	auto &fields = *root.mutable_fields();
	auto &defs = *fields["MetricDefs"].mutable_struct_value()->mutable_fields();
	Struct preset;
	auto &preset_fields = *preset.mutable_fields();
	preset_fields["Description"].set_string_value("the metrics pgwatch-rpc send imitates");
	auto &intervals = *preset_fields["Metrics"].mutable_struct_value()->mutable_fields();
	for (const std::string &name : metrics) {
		const MetricShape *shape = FindShape(name);
		if (shape == nullptr)
			continue;
		*defs[name].mutable_struct_value() = MetricDefinition(*shape);
		intervals[name].set_number_value(60);
	}
	*(*fields["PresetDefs"].mutable_struct_value()->mutable_fields())["sender"].mutable_struct_value() =
	    preset;
	return root;
}

} // namespace pgwatch_rpc::sender
