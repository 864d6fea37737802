// Parameters of a dead-letter row (see dead_letter_row.hpp).
#include "core/delivery/dead_letter_row.hpp"

#include "core/libpq/pg_connection.hpp"

namespace pgwatch_rpc::delivery {
namespace {

const char *KindText(sink::RecordKind kind) {
	switch (kind) {
	case sink::RecordKind::kSync:
		return "sync";
	case sink::RecordKind::kDefine:
		return "define";
	case sink::RecordKind::kMeasurement:
		break;
	}
	return "measurement";
}

} // namespace

std::vector<std::string> DeadLetterParams(const std::string &sink_name, const sink::Record &record,
                                          const std::string &error) {
	return {sink_name,     std::to_string(record.listener_id), std::to_string(record.seq),
	        KindText(record.kind), record.dbname, record.metric, error, libpq::ByteaParam(record.payload)};
}

} // namespace pgwatch_rpc::delivery
