// pgwatch's jsonfile lines (envelope_line.hpp): wire::PayloadToJson with jsonfile options.
#include "core/json/envelope_line.hpp"

#include "core/json/measurement_rows.hpp"
#include "core/json/value_text.hpp"
#include "core/wire/payload_json.hpp"

namespace pgwatch_rpc::json {

wire::ScanResult AppendEnvelopeLine(const sink::Record &record, std::string *out) {
	if (record.kind != sink::RecordKind::kMeasurement)
		return {wire::ScanStatus::kInvalid, "spool record is not a measurement (UpdateMeasurements) record"};
	static const wire::Limits limits = SpoolDecodeLimits();
	wire::RenderOptions options;
	options.jsonfile_names = true;
	options.sorted_keys = true;
	options.append_number = AppendJsonNumber; // value_text.hpp: integers exact, NaN as null
	size_t mark = out->size();
	wire::ScanResult result = wire::PayloadToJson(wire::PayloadKind::kMeasurement,
	                                              reinterpret_cast<const uint8_t *>(record.payload.data()),
	                                              record.payload.size(), limits, out, options);
	if (!result.ok()) {
		out->resize(mark);
		return result;
	}
	out->push_back('\n');
	return result;
}

} // namespace pgwatch_rpc::json
