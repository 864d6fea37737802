// The test measurement of rpc_sink_test (see test_measurement.hpp).
#include "sender/test_measurement.hpp"

#include "pgwatch.pb.h"

namespace pgwatch_rpc::sender {

std::string TestMeasurementPayload(const std::string &sink_name, double epoch_ns) {
	MeasurementEnvelope envelope;
	envelope.set_dbname(kTestSource);
	envelope.set_metricname(kTestMetric);
	(*envelope.mutable_customtags())["sink"] = sink_name;
	auto &fields = *envelope.add_data()->mutable_fields();
	fields["epoch_ns"].set_number_value(epoch_ns);
	fields["ok"].set_number_value(1);
	fields["message"].set_string_value("test measurement sent by rpc_sink_test");
	return envelope.SerializeAsString();
}

} // namespace pgwatch_rpc::sender
