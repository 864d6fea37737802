// What each scenario sends. Every request body is serialized here, printed to --dump as hex
// (one line per call) and sent as those exact bytes.
#include "scenarios.hpp"

#include "envelopes.hpp"
#include "json_line.hpp"
#include "core/text/ascii.hpp"

#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <vector>

namespace pgwatch_rpc::interop {

namespace {

const std::string kUpdateMeasurements = "/Receiver/UpdateMeasurements";
const std::string kSyncMetric = "/Receiver/SyncMetric";
const std::string kDefineMetrics = "/Receiver/DefineMetrics";

class Session {
public:
	Session(const ClientOptions &options, Caller &caller) : options_(options), caller_(caller) {
		if (!options.dump_file.empty()) {
			dump_.open(options.dump_file, std::ios::binary | std::ios::trunc);
			dump_ok_ = static_cast<bool>(dump_);
		}
	}

	bool DumpOk() const { return dump_ok_ && (!dump_.is_open() || dump_.good()); }

	// Send sends body to path, records it, and prints the outcome with extra fields.
	void Send(const std::string &path, const std::string &body, const CallSettings &settings,
	          const std::function<void(JsonLine &)> &extra = nullptr) {
		if (dump_.is_open()) {
			static const char kHex[] = "0123456789abcdef";
			std::string hex;
			hex.reserve(body.size() * 2);
			for (unsigned char c : body) {
				hex += kHex[c >> 4];
				hex += kHex[c & 15];
			}
			dump_ << hex << '\n' << std::flush;
		}
		CallResult r = caller_.Call(path, body, settings);
		JsonLine line;
		line.Add("method", path.substr(path.rfind('/') + 1))
		    .Add("code", r.code)
		    .Add("message", r.message)
		    .Add("logmsg", r.logmsg);
		if (extra)
			extra(line);
		line.Print(std::cout);
	}

	CallSettings Settings() const {
		CallSettings s;
		s.deadline_ms = options_.deadline_ms;
		return s;
	}

	EnvelopeSpec Spec() const {
		return EnvelopeSpec{options_.dbname, options_.metric, options_.seed, options_.epoch_ns};
	}

private:
	const ClientOptions &options_;
	Caller &caller_;
	std::ofstream dump_;
	bool dump_ok_ = true;
};

void Measurements(const ClientOptions &o, Session &session, const CallSettings &settings) {
	for (int i = 0; i < o.count; i++) {
		MeasurementEnvelope envelope = MakeMeasurement(session.Spec(), i, o.rows);
		session.Send(kUpdateMeasurements, Serialize(envelope), settings,
		             [&](JsonLine &line) { line.Add("rows", envelope.data_size()); });
	}
}

void Sync(const ClientOptions &o, Session &session) {
	struct Op {
		const char *name;
		SyncOp op;
		std::string dbname, metric;
	};
	// The connect-time ping pgwatch sends, then a source and a metric appear, then the
	// metric goes away: the source stays known.
	const std::vector<Op> ops = {{"InvalidOp", InvalidOp, "", ""},
	                             {"AddOp", AddOp, o.dbname, ""},
	                             {"AddOp", AddOp, o.dbname, o.metric},
	                             {"DeleteOp", DeleteOp, o.dbname, o.metric}};
	for (const Op &op : ops) {
		SyncReq request;
		request.set_dbname(op.dbname);
		request.set_metricname(op.metric);
		request.set_operation(op.op);
		session.Send(kSyncMetric, Serialize(request), session.Settings(), [&](JsonLine &line) {
			line.Add("op", op.name).Add("dbname", op.dbname).Add("metric", op.metric);
		});
	}
}

void HostileNames(const ClientOptions &o, Session &session) {
	struct Case {
		const char *name;
		std::string dbname, metric;
	};
	const std::vector<Case> cases = {
	    {"empty_dbname", "", o.metric},
	    {"empty_metric", o.dbname, ""},
	    {"double_quote_dbname", "db\"quoted", o.metric},
	    {"single_quote_metric", o.dbname, "metric'quoted"},
	    {"nul_dbname", std::string("db\0nul", 6), o.metric},
	    {"nul_metric", o.dbname, std::string("metric\0nul", 10)},
	    {"10kb_dbname", std::string(10240, 'd'), o.metric},
	    {"10kb_metric", o.dbname, std::string(10240, 'm')},
	    {"sql_dbname", "x'); DROP TABLE pgwatch_rpc.spool; --", o.metric},
	    {"sql_metric", o.dbname, "m\"; DROP SCHEMA pgwatch_rpc CASCADE; --"},
	    {"newline_metric", o.dbname, "metric\nname"},
	    {"non_ascii_dbname", "db\xc3\xa9", o.metric},
	};
	for (const Case &c : cases) {
		EnvelopeSpec spec = session.Spec();
		spec.dbname = c.dbname;
		spec.metric = c.metric;
		session.Send(kUpdateMeasurements, Serialize(MakeMeasurement(spec, 0, 1)), session.Settings(),
		             [&](JsonLine &line) { line.Add("case", c.name); });
	}
}

bool DecodeHex(const std::string &hex, std::string &out) {
	if (hex.size() % 2)
		return false;
	for (size_t i = 0; i < hex.size(); i += 2) {
		int hi = pgwatch_rpc::text::HexDigitValue(hex[i]), lo = pgwatch_rpc::text::HexDigitValue(hex[i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		out += static_cast<char>(hi << 4 | lo);
	}
	return true;
}

} // namespace

int RunScenario(const ClientOptions &o, Caller &caller) {
	Session session(o, caller);
	if (!session.DumpOk()) {
		std::cerr << "interop_client: cannot write " << o.dump_file << "\n";
		return 1;
	}
	const std::string &s = o.scenario;
	if (s == "measurements" || s == "deadline") {
		Measurements(o, session, session.Settings());
	} else if (s == "gzip") {
		CallSettings settings = session.Settings();
		settings.gzip = true;
		Measurements(o, session, settings);
	} else if (s == "sync") {
		Sync(o, session);
	} else if (s == "define") {
		session.Send(kDefineMetrics, Serialize(MakeMetricDefinitions()), session.Settings());
	} else if (s == "oversized") {
		std::string body = Serialize(MakeSizedEnvelope(session.Spec(), o.bytes));
		session.Send(kUpdateMeasurements, body, session.Settings(),
		             [&](JsonLine &line) { line.Add("bytes", static_cast<int64_t>(body.size())); });
	} else if (s == "deep") {
		session.Send(kUpdateMeasurements, Serialize(MakeDeepEnvelope(session.Spec(), o.depth)),
		             session.Settings(), [&](JsonLine &line) { line.Add("depth", o.depth); });
	} else if (s == "names") {
		HostileNames(o, session);
	} else if (s == "raw") {
		std::string body;
		if (!DecodeHex(o.payload_hex, body)) {
			std::cerr << "interop_client: --payload-hex is not an even-length hex string\n";
			return 2;
		}
		std::string path = o.method[0] == '/' ? o.method : "/Receiver/" + o.method;
		for (int i = 0; i < std::max(o.count, 1); i++)
			session.Send(path, body, session.Settings());
	}
	if (!session.DumpOk()) {
		std::cerr << "interop_client: writing " << o.dump_file << " failed\n";
		return 1;
	}
	return 0;
}

} // namespace pgwatch_rpc::interop
