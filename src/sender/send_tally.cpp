// Counting and printing of the sender's results (see send_tally.hpp).
#include "sender/send_tally.hpp"

#include "core/grpc/status.hpp"

namespace pgwatch_rpc::sender {

std::string StatusCodeName(int code) {
	if (code < 0 || code > 16)
		return "CODE " + std::to_string(code);
	return std::string(grpc::StatusName(static_cast<grpc::StatusCode>(code)));
}

void SendTally::Distinct::Add(const std::string &text) {
	if (counts[text]++ == 0)
		order.push_back(text);
}

void SendTally::Add(const std::string &method, const std::string &metric, int rows,
                    const CallResult &result) {
	per_method_[method][result.code]++;
	per_status_[result.code]++;
	if (!metric.empty()) {
		MetricCounts &m = per_metric_[metric];
		m.envelopes++;
		m.rows += rows;
		if (result.code != 0)
			m.failed++;
	}
	if (result.code != 0) {
		failed_++;
		errors_.Add(method + ": " + StatusCodeName(result.code) + ": " + result.message);
	} else if (!result.logmsg.empty()) {
		logmsgs_.Add(result.logmsg);
	}
}

void SendTally::Print(FILE *out) const {
	std::fprintf(out, "\ncalls per method and status:\n");
	for (const auto &[method, codes] : per_method_)
		for (const auto &[code, n] : codes)
			std::fprintf(out, "  %-20s %-18s %d\n", method.c_str(), StatusCodeName(code).c_str(), n);
	std::fprintf(out, "calls per status:\n");
	for (const auto &[code, n] : per_status_)
		std::fprintf(out, "  %-18s %d\n", StatusCodeName(code).c_str(), n);
	if (!per_metric_.empty()) {
		std::fprintf(out, "UpdateMeasurements per metric:\n  %-18s %9s %9s %7s\n", "metric", "envelopes",
		             "rows", "failed");
		for (const auto &[metric, m] : per_metric_)
			std::fprintf(out, "  %-18s %9d %9ld %7d\n", metric.c_str(), m.envelopes, m.rows, m.failed);
	}
	if (!logmsgs_.order.empty()) {
		std::fprintf(out, "server log messages (Reply.logmsg):\n");
		for (const std::string &text : logmsgs_.order)
			std::fprintf(out, "  %dx %s\n", logmsgs_.counts.at(text), text.c_str());
	}
	if (!errors_.order.empty()) {
		std::fprintf(out, "errors:\n");
		for (const std::string &text : errors_.order)
			std::fprintf(out, "  %dx %s\n", errors_.counts.at(text), text.c_str());
	}
}

} // namespace pgwatch_rpc::sender
