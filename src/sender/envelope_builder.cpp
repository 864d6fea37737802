// Row and envelope generation for the imitated pgwatch metrics (see envelope_builder.hpp).
#include "sender/envelope_builder.hpp"

#include <cmath>

namespace pgwatch_rpc::sender {

namespace {

// TagValue picks a plausible value for a tag column; row varies names within an envelope.
std::string TagValue(const std::string &tag, int row, std::mt19937_64 &rng) {
	static const char *const kSchemas[] = {"public", "app", "billing", "audit", "reporting"};
	static const char *const kStates[] = {"active", "idle", "idle in transaction", "streaming"};
	if (tag == "tag_schema")
		return kSchemas[rng() % 5];
	if (tag == "tag_state")
		return kStates[rng() % 4];
	if (tag == "tag_query")
		return "SELECT o.id, o.total FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = $" +
		       std::to_string(row % 7 + 1);
	if (tag == "tag_queryid")
		return std::to_string(rng() >> 1);
	if (tag == "tag_client_addr")
		return "10.0." + std::to_string(rng() % 256) + "." + std::to_string(rng() % 256);
	// Strip "tag_" and number the object, as pgwatch rows name tables, indexes and functions.
	return tag.substr(4) + "_" + std::to_string(row);
}

// NumberValue draws a counter-, size- or ratio-like double.
double NumberValue(std::mt19937_64 &rng) {
	switch (rng() % 4) {
	case 0:
		return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
	case 1:
		return std::floor(std::uniform_real_distribution<double>(0.0, 1000.0)(rng));
	case 2:
		return std::floor(std::uniform_real_distribution<double>(0.0, 1e9)(rng));
	default:
		return std::uniform_real_distribution<double>(0.0, 1e5)(rng);
	}
}

} // namespace

int RowCount(SizeClass cls, std::mt19937_64 &rng) {
	switch (cls) {
	case SizeClass::kSmall:
		return std::uniform_int_distribution<int>(1, 5)(rng);
	case SizeClass::kMedium:
		return std::uniform_int_distribution<int>(20, 100)(rng);
	case SizeClass::kLarge:
		break;
	}
	return std::uniform_int_distribution<int>(300, 500)(rng);
}

SizeClass NaturalSizeClass(const MetricShape &shape, std::mt19937_64 &rng) {
	if (!shape.per_object)
		return SizeClass::kSmall;
	return rng() % 7 == 0 ? SizeClass::kLarge : SizeClass::kMedium;
}

MeasurementEnvelope BuildEnvelope(const std::string &dbname, const MetricShape &shape, int nrows,
                                  double epoch_ns, std::mt19937_64 &rng) {
	MeasurementEnvelope env;
	env.set_dbname(dbname);
	env.set_metricname(shape.name);
	auto &custom = *env.mutable_customtags();
	custom["env"] = "production";
	custom["dc"] = (rng() % 2) ? "eu-west-1" : "us-east-2";
	custom["team"] = "payments";
	for (int r = 0; r < nrows; r++) {
		auto &fields = *env.add_data()->mutable_fields();
		fields["epoch_ns"].set_number_value(epoch_ns);
		for (const char *tag : shape.tags)
			fields[tag].set_string_value(TagValue(tag, r, rng));
		for (const char *number : shape.numbers)
			fields[number].set_number_value(NumberValue(rng));
	}
	return env;
}

} // namespace pgwatch_rpc::sender
