// libFuzzer target: the wire scanner and PayloadToJson on arbitrary bytes, for all three
// message kinds. Whatever is accepted must render to JSON; rendering must never be asked
// to handle what the scanner refused. Crashes, overreads and leaks are the findings.
#include "core/wire/envelope_scan.hpp"
#include "core/wire/payload_json.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	namespace wire = pgwatch_rpc::wire;
	wire::Limits limits;
	limits.max_depth = 8; // reach the limit often
	limits.max_rows = 50;
	limits.max_fields_per_struct = 50;
	limits.max_string_bytes = 256;

	wire::EnvelopeSummary env;
	wire::ScanResult scanned = wire::ScanMeasurementEnvelope(data, size, limits, &env);
	if (scanned.ok() && (env.dbname.empty() || env.metric.empty()))
		abort(); // ingest must refuse empty names
	std::string json;
	wire::ScanResult rendered =
	    wire::PayloadToJson(wire::PayloadKind::kMeasurement, data, size, limits, &json);
	if (scanned.ok() && !rendered.ok())
		abort(); // decode is more lenient than ingest, never stricter
	if (rendered.ok() && (json.empty() || json.front() != '{' || json.back() != '}'))
		abort();

	wire::SyncSummary sync;
	wire::ScanSyncReq(data, size, limits, &sync);
	json.clear();
	wire::PayloadToJson(wire::PayloadKind::kSync, data, size, limits, &json);

	json.clear();
	wire::ScanResult st = wire::ScanStruct(data, size, limits);
	wire::ScanResult st_json = wire::PayloadToJson(wire::PayloadKind::kDefine, data, size, limits, &json);
	if (st.ok() != st_json.ok())
		abort();
	return 0;
}
