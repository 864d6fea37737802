// Counts of what `pgwatch-rpc send` did: calls per method and status code, envelopes and rows
// per metric, and each distinct error message (and Reply.logmsg) once with its count.
#pragma once

#include "sender/receiver_client.hpp"

#include <cstdio>
#include <map>
#include <string>
#include <vector>

namespace pgwatch_rpc::sender {

class SendTally {
public:
	// Add records one call of method; metric and rows are set for UpdateMeasurements only.
	void Add(const std::string &method, const std::string &metric, int rows, const CallResult &result);

	bool AnyFailed() const { return failed_ > 0; }
	int Failed() const { return failed_; }

	// Print writes the summary table to out.
	void Print(FILE *out) const;

private:
	struct MetricCounts {
		int envelopes = 0;
		long rows = 0;
		int failed = 0;
	};
	// Distinct texts in first-seen order, with how often each was seen.
	struct Distinct {
		std::vector<std::string> order;
		std::map<std::string, int> counts;
		void Add(const std::string &text);
	};

	std::map<std::string, std::map<int, int>> per_method_;
	std::map<int, int> per_status_;
	std::map<std::string, MetricCounts> per_metric_;
	Distinct errors_;
	Distinct logmsgs_;
	int failed_ = 0;
};

// StatusCodeName: "OK", "UNAVAILABLE", … or "CODE n" for a code gRPC does not define.
std::string StatusCodeName(int code);

} // namespace pgwatch_rpc::sender
