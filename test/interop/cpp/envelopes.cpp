// Deterministic request content for the scenarios. Randomness comes from splitmix64 on the
// seed, never from <random> distributions (their output differs between standard libraries).
#include "envelopes.hpp"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <algorithm>

namespace pgwatch_rpc::interop {

namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

uint64_t SplitMix64(uint64_t &state) {
	uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

void SetNumber(Struct &row, const std::string &key, double value) {
	(*row.mutable_fields())[key].set_number_value(value);
}

void SetString(Struct &row, const std::string &key, const std::string &value) {
	(*row.mutable_fields())[key].set_string_value(value);
}

void SetCommonEnvelope(const EnvelopeSpec &spec, MeasurementEnvelope &envelope) {
	envelope.set_dbname(spec.dbname);
	envelope.set_metricname(spec.metric);
	(*envelope.mutable_customtags())["env"] = "interop";
	(*envelope.mutable_customtags())["seed"] = std::to_string(spec.seed);
}

// TableStatsRow is one row of a table_stats-like metric: two tags and a dozen counters.
void TableStatsRow(Struct &row, double epoch_ns, uint64_t &rng, int table) {
	SetNumber(row, "epoch_ns", epoch_ns);
	SetString(row, "tag_schema", "public");
	SetString(row, "tag_table_name", "table_" + std::to_string(table));
	SetString(row, "tag_table_full_name", "public.table_" + std::to_string(table));
	for (const char *counter :
	     {"seq_scan", "seq_tup_read", "idx_scan", "idx_tup_fetch", "n_tup_ins", "n_tup_upd", "n_tup_del",
	      "n_tup_hot_upd", "n_live_tup", "n_dead_tup", "vacuum_count", "autovacuum_count", "analyze_count",
	      "table_size_b", "total_relation_size_b", "toast_size_b"})
		SetNumber(row, counter, static_cast<double>(SplitMix64(rng) % 100000000));
	SetNumber(row, "seconds_since_last_vacuum", static_cast<double>(SplitMix64(rng) % 86400));
	(*row.mutable_fields())["is_part_root"].set_bool_value(false);
}

} // namespace

MeasurementEnvelope MakeMeasurement(const EnvelopeSpec &spec, int index, int rows) {
	uint64_t rng = spec.seed * 1000003ULL + static_cast<uint64_t>(index);
	MeasurementEnvelope envelope;
	SetCommonEnvelope(spec, envelope);
	(*envelope.mutable_customtags())["index"] = std::to_string(index);
	for (int r = 0; r < rows; r++) {
		Struct &row = *envelope.add_data();
		// pgwatch stamps rows with time.Now().UnixNano() converted to a double by structpb.
		SetNumber(row, "epoch_ns", spec.epoch_ns + index * 1e9 + r * 1e3);
		SetString(row, "tag_datname", spec.dbname);
		SetString(row, "tag_application_name", "app_" + std::to_string(SplitMix64(rng) % 8));
		SetNumber(row, "numbackends", static_cast<double>(SplitMix64(rng) % 500));
		SetNumber(row, "xact_commit", static_cast<double>(SplitMix64(rng) % 10000000000ULL));
		SetNumber(row, "blks_hit_ratio", static_cast<double>(SplitMix64(rng) % 10000) / 100.0);
		SetNumber(row, "temp_bytes", -0.0 + static_cast<double>(SplitMix64(rng) % 3) * 1048576.0);
		SetString(row, "state", (SplitMix64(rng) & 1) ? "active" : "idle in transaction");
		SetString(row, "query", "SELECT 'ünïcødé ✓', $1 FROM \"Quoted\"\tWHERE x <> 1;\n");
		(*row.mutable_fields())["in_recovery"].set_bool_value(SplitMix64(rng) & 1);
		(*row.mutable_fields())["backup_label"].set_null_value(google::protobuf::NULL_VALUE);
	}
	return envelope;
}

MeasurementEnvelope MakeSizedEnvelope(const EnvelopeSpec &spec, size_t bytes) {
	uint64_t rng = spec.seed;
	MeasurementEnvelope envelope;
	SetCommonEnvelope(spec, envelope);
	size_t size = envelope.ByteSizeLong();
	// Full rows while they fit with room for a final padding row (~100 bytes of overhead).
	for (int table = 0;; table++) {
		Struct row;
		TableStatsRow(row, spec.epoch_ns, rng, table);
		size_t row_size = row.ByteSizeLong();
		size_t framed = 1 + google::protobuf::io::CodedOutputStream::VarintSize64(row_size) + row_size;
		if (size + framed + 200 > bytes)
			break;
		*envelope.add_data() = std::move(row);
		size += framed;
	}
	// One padding row takes the rest (less than a table row plus 200 bytes); its string
	// length is corrected against the real size, since varint lengths shift by a byte or two.
	Struct &pad = *envelope.add_data();
	SetNumber(pad, "epoch_ns", spec.epoch_ns);
	std::string &text = *(*pad.mutable_fields())["pad"].mutable_string_value();
	for (int attempt = 0; attempt < 8; attempt++) {
		size_t now = envelope.ByteSizeLong();
		if (now == bytes || (now > bytes && text.empty()))
			break;
		if (now > bytes)
			text.resize(text.size() - std::min(text.size(), now - bytes));
		else
			text.append(bytes - now, 'p');
	}
	return envelope;
}

MeasurementEnvelope MakeDeepEnvelope(const EnvelopeSpec &spec, int depth) {
	MeasurementEnvelope envelope;
	SetCommonEnvelope(spec, envelope);
	Struct *level = envelope.add_data();
	SetNumber(*level, "epoch_ns", spec.epoch_ns);
	for (int d = 1; d < depth; d++)
		level = (*level->mutable_fields())["nested"].mutable_struct_value();
	SetNumber(*level, "leaf", depth);
	return envelope;
}

google::protobuf::Struct MakeMetricDefinitions() {
	Struct definitions;
	Struct &metrics = *(*definitions.mutable_fields())["metrics"].mutable_struct_value();
	Struct &db_stats = *(*metrics.mutable_fields())["db_stats"].mutable_struct_value();
	Struct &sqls = *(*db_stats.mutable_fields())["sqls"].mutable_struct_value();
	SetString(sqls, "11",
	          "select (extract(epoch from now()) * 1e9)::int8 as epoch_ns, numbackends "
	          "from pg_stat_database where datname = current_database()");
	google::protobuf::ListValue &gauges = *(*db_stats.mutable_fields())["gauges"].mutable_list_value();
	gauges.add_values()->set_string_value("numbackends");
	SetNumber(db_stats, "is_instance_level", 0);
	Struct &presets = *(*definitions.mutable_fields())["presets"].mutable_struct_value();
	Struct &basic = *(*presets.mutable_fields())["basic"].mutable_struct_value();
	SetString(basic, "description", "interop preset");
	Struct &basic_metrics = *(*basic.mutable_fields())["metrics"].mutable_struct_value();
	SetNumber(basic_metrics, "db_stats", 60);
	return definitions;
}

std::string Serialize(const google::protobuf::Message &message) {
	std::string bytes;
	{
		google::protobuf::io::StringOutputStream stream(&bytes);
		google::protobuf::io::CodedOutputStream coded(&stream);
		coded.SetSerializationDeterministic(true);
		message.SerializeToCodedStream(&coded);
	}
	return bytes;
}

} // namespace pgwatch_rpc::interop
