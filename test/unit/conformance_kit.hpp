// The sink conformance kit (docs/writing-a-sink.md): one GoogleTest suite
// (conformance_test.cpp) that runs for every registered sink kind against a live target
// its harness provides, and checks what every sink owes the delivery engine and the user:
// config problems name their keys, secrets never reach a log or an error, a batch of many
// records arrives whole, an unreachable target means a retry and nothing lost or doubled,
// records the target refuses (or that cannot be decoded) are rejected with a reason and the
// rest is delivered, and delivering the same records again after a restart does not store
// them twice.
//
// A harness is one small file per kind, test/unit/conformance_<kind>.cpp, holding a Target
// and a static HarnessRegistration. A kind without one fails the suite. Targets are a
// scratch directory, fakes of test/fakes/ (fake_server_process.hpp) where no real server
// can run here, or real local servers (postgres: a throwaway PostgreSQL 15 cluster per test).
#pragma once

#include "core/json/measurement_rows.hpp"
#include "core/sink/sink.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace pgwatch_rpc::conformance {

// Target: a live destination for one test, reachable from this process.
class Target {
public:
	virtual ~Target() = default;
	// Config and Secrets: a valid configuration of the kind writing to this target. Put a
	// credential in Secrets wherever the kind takes one: the kit checks none of its values
	// (nor SensitiveValues) ever shows in a log line, an error or a config problem.
	virtual nlohmann::json Config() const = 0;
	virtual nlohmann::json Secrets() const { return nlohmann::json::object(); }
	virtual std::vector<std::string> SensitiveValues() const { return {}; }
	// StoredRowIds: the RowKey of every row the target holds, duplicates included, in any
	// order.
	virtual std::vector<std::string> StoredRowIds() = 0;
	// RowKey: what the target's rows can be told apart by, for row `row` of `record`, whose
	// row id (core/json/row_id.hpp) is row_id. The row id by default; a target that stores
	// none (postgres: pgwatch's own schema) returns a key made of what it does store.
	virtual std::string RowKey(const sink::Record &record, const json::Row &row,
	                           const std::string &row_id) const {
		(void)record;
		(void)row;
		return row_id;
	}
	// SetReachable(false) makes the target take nothing (server down, disk full) until
	// SetReachable(true).
	virtual void SetReachable(bool reachable) = 0;
	// RefuseMetric makes the target refuse as invalid every row of metric; false if the
	// target cannot be told to (the kit then checks undecodable records only).
	virtual bool RefuseMetric(const std::string &metric) {
		(void)metric;
		return false;
	}
};

// What the target holds after the same records were delivered twice, by two sink instances
// (a crash between the delivery and the cursor move).
enum class Redelivery {
	kStoredOnce, // the sink or the target recognises them: every row once
	kSameRowIds, // duplicates may be stored, but with the same row keys (dedup downstream)
};

struct Harness {
	std::string kind;
	Redelivery redelivery = Redelivery::kStoredOnce;
	// start throws, saying what is missing, if the target cannot start.
	std::function<std::unique_ptr<Target>()> start;
};

// HarnessRegistration registers a harness at static initialisation:
//   static const HarnessRegistration kFile{{"file", Redelivery::kStoredOnce, StartFileTarget}};
struct HarnessRegistration {
	explicit HarnessRegistration(Harness harness);
};

// FindHarness: the harness of kind, or nullptr.
const Harness *FindHarness(const std::string &kind);

// ScratchDir: a fresh directory under parent, removed with its contents by the destructor.
class ScratchDir {
public:
	explicit ScratchDir(const std::string &parent = "/tmp");
	~ScratchDir();
	ScratchDir(const ScratchDir &) = delete;
	ScratchDir &operator=(const ScratchDir &) = delete;
	const std::string &path() const { return path_; }

private:
	std::string path_;
};

} // namespace pgwatch_rpc::conformance
