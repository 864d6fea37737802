// The benchmarks' envelope pool (see envelope_mix.hpp).
#include "sender/envelope_mix.hpp"

#include "sender/envelope_builder.hpp"

#include <algorithm>
#include <random>

namespace pgwatch_rpc::sender {

std::vector<SerializedEnvelope> MakeMixedEnvelopes(size_t count, uint64_t seed) {
	std::mt19937_64 rng(seed);
	std::vector<SizeClass> classes(count);
	for (size_t i = 0; i < count; i++) {
		size_t k = i % 100;
		classes[i] = k < 80 ? SizeClass::kSmall : (k < 97 ? SizeClass::kMedium : SizeClass::kLarge);
	}
	std::shuffle(classes.begin(), classes.end(), rng);

	std::vector<const MetricShape *> small, large;
	for (const MetricShape &shape : AllShapes())
		(shape.per_object ? large : small).push_back(&shape);

	std::vector<SerializedEnvelope> out;
	out.reserve(count);
	const double kEpochBase = 1.8e18;
	for (size_t i = 0; i < count; i++) {
		const auto &shapes = classes[i] == SizeClass::kSmall ? small : large;
		const MetricShape &shape = *shapes[rng() % shapes.size()];
		std::string dbname = "prod-db-" + std::to_string(rng() % 40);
		int nrows = RowCount(classes[i], rng);
		MeasurementEnvelope env =
		    BuildEnvelope(dbname, shape, nrows, kEpochBase + static_cast<double>(i) * 6e10, rng);
		SerializedEnvelope e;
		env.SerializeToString(&e.bytes);
		e.dbname = dbname;
		e.metric = shape.name;
		e.nrows = nrows;
		out.push_back(std::move(e));
	}
	return out;
}

} // namespace pgwatch_rpc::sender
