// Spool-shaped records for the sinks' tests: MeasurementEnvelopes built with libprotobuf, as
// pgwatch sends them and the spool keeps them (payload = the message bytes), in a Batch the
// way the delivery engine hands it to a sink.
#pragma once

#include "core/sink/sink.hpp"

#include "pgwatch.pb.h"

#include <string>
#include <utility>
#include <vector>

namespace pgwatch_rpc::sink_test {

// SINKS.md §0.3's canonical row time: 2026-11-23T19:42:20Z.
constexpr double kCanonicalEpoch = 1795462940000000000.0;

inline google::protobuf::Value Num(double d) {
	google::protobuf::Value v;
	v.set_number_value(d);
	return v;
}

inline google::protobuf::Value Str(const std::string &s) {
	google::protobuf::Value v;
	v.set_string_value(s);
	return v;
}

using RowFields = std::vector<std::pair<std::string, google::protobuf::Value>>;

inline MeasurementEnvelope Envelope(const std::string &dbname, const std::string &metric,
                                    const std::vector<std::pair<std::string, std::string>> &custom_tags,
                                    const std::vector<RowFields> &rows) {
	MeasurementEnvelope env;
	env.set_dbname(dbname);
	env.set_metricname(metric);
	for (const auto &tag : custom_tags)
		(*env.mutable_customtags())[tag.first] = tag.second;
	for (const RowFields &fields : rows) {
		google::protobuf::Struct *row = env.add_data();
		for (const auto &f : fields)
			(*row->mutable_fields())[f.first] = f.second;
	}
	return env;
}

// Canonical: SINKS.md §0.3's envelope (db1, wal, env=prod, one row).
inline MeasurementEnvelope Canonical() {
	return Envelope("db1", "wal", {{"env", "prod"}},
	                {{{"epoch_ns", Num(kCanonicalEpoch)},
	                  {"xlog_location_b", Num(100)},
	                  {"in_recovery_int", Num(0)},
	                  {"tag_sys_id", Str("7")}}});
}

// Row: a simple row of `metric` at the canonical time plus `offset_s` seconds.
inline RowFields Row(double value, double offset_s = 0) {
	return {{"epoch_ns", Num(kCanonicalEpoch + offset_s * 1e9)}, {"value", Num(value)}};
}

inline sink::Record RecordOf(const MeasurementEnvelope &env, int64_t seq) {
	sink::Record record;
	record.listener_id = 1;
	record.seq = seq;
	record.received_at_us = 1'795'462'941'000'000;
	record.kind = sink::RecordKind::kMeasurement;
	record.dbname = env.dbname();
	record.metric = env.metricname();
	record.nrows = env.data_size();
	record.payload = env.SerializeAsString();
	return record;
}

// BatchOf: records with seq first_seq, first_seq + 1, … as one batch of sink "test".
inline sink::Batch BatchOf(const std::vector<MeasurementEnvelope> &envelopes, int64_t first_seq = 100) {
	sink::Batch batch;
	batch.sink_name = "test";
	for (const MeasurementEnvelope &env : envelopes) {
		batch.records.push_back(RecordOf(env, first_seq++));
		batch.payload_bytes += batch.records.back().payload.size();
	}
	batch.advance_to = {{1, first_seq - 1}};
	return batch;
}

} // namespace pgwatch_rpc::sink_test
