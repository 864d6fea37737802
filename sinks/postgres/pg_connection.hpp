// A small libpq wrapper for the postgres sink: one blocking connection, statements that
// report the SQLSTATE instead of throwing, and COPY FROM STDIN. The sink runs in its own
// delivery child, so blocking is fine.
#pragma once
#include "core/core_only.hpp"

#include <string>
#include <vector>

struct pg_conn;
struct pg_result;

namespace pgwatch_rpc::sinks {

struct PgStatus {
	bool ok = true;
	std::string sqlstate; // empty when libpq gave none (e.g. the connection broke)
	std::string message;
};

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

	// Exec runs one or more statements without parameters; when rows is not null, *rows
	// receives each row of the last result as text, columns joined by '\t'.
	PgStatus Exec(const std::string &sql, std::vector<std::string> *rows = nullptr);
	// ExecParams runs one statement with text parameters; *rows as for Exec.
	PgStatus ExecParams(const std::string &sql, const std::vector<std::string> &params,
	                    std::vector<std::string> *rows = nullptr);
	// CopyIn runs `COPY … FROM STDIN` and sends `data` (text format lines).
	PgStatus CopyIn(const std::string &copy_sql, const std::string &data);

private:
	PgStatus ResultStatus(pg_result *res, std::vector<std::string> *rows);
	PgStatus ConnectionFailure(const char *what);

	pg_conn *conn_ = nullptr;
};

} // namespace pgwatch_rpc::sinks
