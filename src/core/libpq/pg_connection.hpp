// A small libpq wrapper for delivery children (the spool port, the postgres sink): one
// blocking connection, statements that report the SQLSTATE instead of throwing, binary
// results, and COPY FROM STDIN. A delivery child does one thing at a time, so blocking is fine.
#pragma once
#include "core/core_only.hpp"

#include <cstdint>

#include <string>
#include <string_view>
#include <vector>

struct pg_conn;
struct pg_result;

namespace pgwatch_rpc::libpq {

struct PgStatus {
	bool ok = true;
	std::string sqlstate;   // empty when libpq gave none (e.g. the connection broke)
	std::string constraint; // the constraint the error names, if any (PG_DIAG_CONSTRAINT_NAME)
	std::string message;
};

// PgRows owns one query result; values are the raw bytes libpq returned (text or binary).
class PgRows {
public:
	PgRows() = default;
	~PgRows();
	PgRows(PgRows &&other) noexcept;
	PgRows &operator=(PgRows &&other) noexcept;
	PgRows(const PgRows &) = delete;
	PgRows &operator=(const PgRows &) = delete;

	int Count() const;
	bool IsNull(int row, int column) const;
	std::string_view Value(int row, int column) const;

private:
	friend class PgConnection;
	void Reset(pg_result *res);
	pg_result *res_ = nullptr;
};

// ByteaParam: bytes as a text-format bytea parameter ("\\x" and hex digits).
std::string ByteaParam(std::string_view bytes);

// Binary-format decoders for Query(..., binary_results = true) values (network byte order).
int32_t BinaryInt4(std::string_view value);
int64_t BinaryInt8(std::string_view value);

class PgConnection {
public:
	PgConnection() = default;
	~PgConnection();
	PgConnection(const PgConnection &) = delete;
	PgConnection &operator=(const PgConnection &) = delete;

	// Open connects with a libpq conninfo (URI or key=value); a non-empty password is
	// passed as libpq's password parameter; application_name is set for pg_stat_activity.
	PgStatus Open(const std::string &conninfo, const std::string &password, const std::string &application_name);
	void Close();
	// Usable: connected and not known broken.
	bool Usable() const;
	// InTransaction: a transaction block is open (or failed and not yet rolled back).
	bool InTransaction() const;

	// Exec runs one or more statements without parameters; when rows is not null, *rows
	// receives each row of the last result as text, columns joined by '\t'.
	PgStatus Exec(const std::string &sql, std::vector<std::string> *rows = nullptr);
	// ExecParams runs one statement with text parameters; *rows as for Exec.
	PgStatus ExecParams(const std::string &sql, const std::vector<std::string> &params,
	                    std::vector<std::string> *rows = nullptr);
	// Query runs one statement with text parameters and keeps its rows in *out, in binary
	// format when binary_results (bytea arrives as its bytes, not as hex text).
	PgStatus Query(const std::string &sql, const std::vector<std::string> &params, PgRows *out,
	               bool binary_results);
	// CopyIn runs `COPY … FROM STDIN` and sends `data` (text format lines).
	PgStatus CopyIn(const std::string &copy_sql, const std::string &data);

private:
	PgStatus ResultStatus(pg_result *res, std::vector<std::string> *rows);
	// RunParams runs one statement with text parameters; the caller owns the result.
	pg_result *RunParams(const std::string &sql, const std::vector<std::string> &params, bool binary_results);
	PgStatus ConnectionFailure(const char *what);

	pg_conn *conn_ = nullptr;
};

} // namespace pgwatch_rpc::libpq
