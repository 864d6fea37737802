// Sample spool records (see sample_records.hpp).
#include "sender/sample_records.hpp"

#include "sender/envelope_builder.hpp"
#include "sender/metric_shapes.hpp"

#include <chrono>
#include <random>
#include <sstream>
#include <string>

namespace pgwatch_rpc::sender {

std::vector<sink::Record> SampleRecords(const SampleOptions &options) {
	std::vector<const MetricShape *> shapes;
	std::istringstream names(kDefaultMetrics);
	for (std::string name; std::getline(names, name, ',');)
		shapes.push_back(FindShape(name));

	auto now = std::chrono::system_clock::now().time_since_epoch();
	int64_t now_us = std::chrono::duration_cast<std::chrono::microseconds>(now).count();
	double first_epoch_ns = options.epoch_ns > 0 ? options.epoch_ns : static_cast<double>(now_us) * 1000.0;

	std::mt19937_64 rng(options.seed);
	std::vector<sink::Record> records;
	const int pairs = options.sources * static_cast<int>(shapes.size());
	for (int i = 0; i < options.envelopes; i++) {
		int pair = i % pairs;
		const MetricShape &shape = *shapes[static_cast<size_t>(pair / options.sources)];
		sink::Record record;
		record.listener_id = options.listener_id;
		record.seq = options.first_seq + i;
		record.received_at_us = now_us;
		record.kind = sink::RecordKind::kMeasurement;
		record.key_name = "default";
		record.dbname = "prod-db-" + std::to_string(pair % options.sources + 1);
		record.metric = shape.name;
		record.nrows = RowCount(NaturalSizeClass(shape, rng), rng);
		double epoch_ns = first_epoch_ns + static_cast<double>(i) * 1e9;
		BuildEnvelope(record.dbname, shape, record.nrows, epoch_ns, rng).SerializeToString(&record.payload);
		records.push_back(std::move(record));
	}
	return records;
}

} // namespace pgwatch_rpc::sender
