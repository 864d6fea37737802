// PgSpoolPort: the SpoolPort of a delivery child, over libpq to the hub database as
// pgwatch_rpc_delivery. Every statement is short: a read is one query per listener, a
// commit one transaction of dead letters and cursor moves, so no transaction is ever open
// while the sink talks to its target.
#pragma once
#include "core/core_only.hpp"
#include "core/delivery/spool_port.hpp"
#include "core/libpq/pg_connection.hpp"

#include <cstdint>
#include <map>
#include <string>

namespace pgwatch_rpc::delivery {

class PgSpoolPort : public SpoolPort {
public:
	// The port connects on first use and after a failure; dsn is the hub's conninfo (the
	// password may come from PGPASSWORD).
	PgSpoolPort(std::string sink_name, std::string dsn);

	std::vector<sink::Record> ReadBatch(const ReadLimits &limits) override;
	void Commit(const Progress &progress) override;
	void PublishStatus(const StatusReport &report) override;

	// Connection: the open hub connection (connecting first if needed), for the child's own
	// catalog reads. Throws std::runtime_error when the hub cannot be reached, and when
	// another process already delivers this sink (it holds the sink's advisory lock).
	libpq::PgConnection &Connection();

private:
	void LoadCursors();
	// What one ReadBatch has read so far, against its ReadLimits.
	struct ReadTotals {
		int64_t bytes = 0;
		int64_t rows = 0;
	};
	// ReadListener appends the records of one listener after `after`; false once a limit is hit.
	bool ReadListener(int32_t listener_id, int64_t after, const ReadLimits &limits, ReadTotals *totals,
	                  std::vector<sink::Record> *out);
	[[noreturn]] void Fail(const char *doing, const libpq::PgStatus &status);

	std::string sink_name_;
	std::string dsn_;
	libpq::PgConnection conn_;
	std::map<int32_t, int64_t> cursors_; // listener_id -> last delivered seq
	int64_t started_at_us_;
};

} // namespace pgwatch_rpc::delivery
