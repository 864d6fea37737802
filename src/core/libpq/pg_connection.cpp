// libpq wrapper of the delivery children (see pg_connection.hpp).
#include "core/libpq/pg_connection.hpp"

#include "core/log/log.hpp"

#include <libpq-fe.h>

#include <algorithm>

namespace pgwatch_rpc::libpq {
namespace {

// Server notices (e.g. "relation … already exists, skipping") would go to stderr, which the
// launcher relays as log records: keep them at DEBUG.
void NoticeToLog(void *, const char *message) {
	std::string text = message;
	while (!text.empty() && text.back() == '\n')
		text.pop_back();
	log::Write(log::Level::kDebug, "server notice: " + text);
}

} // namespace

PgRows::~PgRows() { Reset(nullptr); }

PgRows::PgRows(PgRows &&other) noexcept : res_(other.res_) { other.res_ = nullptr; }

PgRows &PgRows::operator=(PgRows &&other) noexcept {
	if (this != &other) {
		Reset(other.res_);
		other.res_ = nullptr;
	}
	return *this;
}

void PgRows::Reset(pg_result *res) {
	if (res_ != nullptr)
		PQclear(res_);
	res_ = res;
}

int PgRows::Count() const { return res_ != nullptr ? PQntuples(res_) : 0; }

bool PgRows::IsNull(int row, int column) const { return PQgetisnull(res_, row, column) != 0; }

std::string_view PgRows::Value(int row, int column) const {
	return std::string_view(PQgetvalue(res_, row, column), static_cast<size_t>(PQgetlength(res_, row, column)));
}

std::string ByteaParam(std::string_view bytes) {
	static const char kDigits[] = "0123456789abcdef";
	std::string out = "\\x";
	out.reserve(2 + bytes.size() * 2);
	for (unsigned char c : bytes) {
		out.push_back(kDigits[c >> 4]);
		out.push_back(kDigits[c & 15]);
	}
	return out;
}

int64_t BinaryInt8(std::string_view value) {
	uint64_t v = 0;
	for (size_t i = 0; i < value.size() && i < 8; i++)
		v = (v << 8) | static_cast<unsigned char>(value[i]);
	return static_cast<int64_t>(v);
}

int32_t BinaryInt4(std::string_view value) { return static_cast<int32_t>(BinaryInt8(value.substr(0, 4))); }

PgConnection::~PgConnection() { Close(); }

void PgConnection::Close() {
	if (conn_ != nullptr)
		PQfinish(conn_);
	conn_ = nullptr;
}

bool PgConnection::Usable() const { return conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK; }

bool PgConnection::InTransaction() const {
	if (conn_ == nullptr)
		return false;
	PGTransactionStatusType status = PQtransactionStatus(conn_);
	return status == PQTRANS_INTRANS || status == PQTRANS_INERROR;
}

PgStatus PgConnection::ConnectionFailure(const char *what) {
	PgStatus st;
	st.ok = false;
	st.message = std::string(what) + ": " + (conn_ != nullptr ? PQerrorMessage(conn_) : "no connection");
	while (!st.message.empty() && (st.message.back() == '\n' || st.message.back() == ' '))
		st.message.pop_back();
	// libpq's multi-line messages become one line, with single spaces.
	std::string one_line;
	for (char c : st.message) {
		bool space = c == '\n' || c == '\t' || c == ' ';
		if (!space)
			one_line.push_back(c);
		else if (!one_line.empty() && one_line.back() != ' ')
			one_line.push_back(' ');
	}
	st.message = std::move(one_line);
	return st;
}

PgStatus PgConnection::Open(const std::string &conninfo, const std::string &password,
                            const std::string &application_name) {
	Close();
	// expand_dbname=1: the "dbname" value is the whole conninfo (URI or key=value), and the
	// later keys override it, so an explicit password/application_name wins.
	std::vector<const char *> keys = {"dbname", "application_name"};
	std::vector<const char *> values = {conninfo.c_str(), application_name.c_str()};
	if (!password.empty()) {
		keys.push_back("password");
		values.push_back(password.c_str());
	}
	keys.push_back(nullptr);
	values.push_back(nullptr);
	conn_ = PQconnectdbParams(keys.data(), values.data(), 1);
	if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
		PgStatus st = ConnectionFailure("cannot connect");
		Close();
		return st;
	}
	PQsetNoticeProcessor(conn_, NoticeToLog, nullptr);
	return PgStatus{};
}

PgStatus PgConnection::ResultStatus(pg_result *res, std::vector<std::string> *rows) {
	PgStatus st;
	ExecStatusType status = res != nullptr ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_COPY_IN) {
		if (rows != nullptr && status == PGRES_TUPLES_OK) {
			rows->clear();
			int ncols = PQnfields(res);
			for (int r = 0; r < PQntuples(res); r++) {
				std::string line;
				for (int c = 0; c < ncols; c++) {
					if (c > 0)
						line.push_back('\t');
					line += PQgetvalue(res, r, c);
				}
				rows->push_back(std::move(line));
			}
		}
		return st;
	}
	st.ok = false;
	const char *state = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
	const char *primary = res != nullptr ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
	const char *constraint = res != nullptr ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) : nullptr;
	st.sqlstate = state != nullptr ? state : "";
	st.constraint = constraint != nullptr ? constraint : "";
	st.message = primary != nullptr ? primary : (conn_ != nullptr ? PQerrorMessage(conn_) : "no connection");
	while (!st.message.empty() && (st.message.back() == '\n' || st.message.back() == ' '))
		st.message.pop_back();
	return st;
}

PgStatus PgConnection::Exec(const std::string &sql, std::vector<std::string> *rows) {
	if (conn_ == nullptr)
		return ConnectionFailure("not connected");
	PGresult *res = PQexec(conn_, sql.c_str());
	PgStatus st = ResultStatus(res, rows);
	PQclear(res);
	return st;
}

pg_result *PgConnection::RunParams(const std::string &sql, const std::vector<std::string> &params,
                                   bool binary_results) {
	std::vector<const char *> values;
	for (const std::string &p : params)
		values.push_back(p.c_str());
	return PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
	                    nullptr, binary_results ? 1 : 0);
}

PgStatus PgConnection::ExecParams(const std::string &sql, const std::vector<std::string> &params,
                                  std::vector<std::string> *rows) {
	if (conn_ == nullptr)
		return ConnectionFailure("not connected");
	PGresult *res = RunParams(sql, params, false);
	PgStatus st = ResultStatus(res, rows);
	PQclear(res);
	return st;
}

PgStatus PgConnection::Query(const std::string &sql, const std::vector<std::string> &params, PgRows *out,
                             bool binary_results) {
	out->Reset(nullptr);
	if (conn_ == nullptr)
		return ConnectionFailure("not connected");
	PGresult *res = RunParams(sql, params, binary_results);
	PgStatus st = ResultStatus(res, nullptr);
	if (st.ok)
		out->Reset(res);
	else
		PQclear(res);
	return st;
}

PgStatus PgConnection::CopyIn(const std::string &copy_sql, const std::string &data) {
	if (conn_ == nullptr)
		return ConnectionFailure("not connected");
	PGresult *res = PQexec(conn_, copy_sql.c_str());
	if (res == nullptr || PQresultStatus(res) != PGRES_COPY_IN) {
		PgStatus st = ResultStatus(res, nullptr);
		if (st.ok) {
			st.ok = false;
			st.message = "COPY did not start";
		}
		PQclear(res);
		return st;
	}
	PQclear(res);
	// Send in pieces of at most 1 MiB: PQputCopyData takes an int length.
	constexpr size_t kChunk = 1 << 20;
	for (size_t off = 0; off < data.size(); off += kChunk) {
		size_t n = std::min(kChunk, data.size() - off);
		if (PQputCopyData(conn_, data.data() + off, static_cast<int>(n)) != 1)
			return ConnectionFailure("COPY data failed");
	}
	if (PQputCopyEnd(conn_, nullptr) != 1)
		return ConnectionFailure("COPY end failed");
	PgStatus st;
	// The COPY's result, then NULL; read all so the connection is ready for the next command.
	while ((res = PQgetResult(conn_)) != nullptr) {
		PgStatus one = ResultStatus(res, nullptr);
		if (st.ok && !one.ok)
			st = one;
		PQclear(res);
	}
	if (st.ok && PQstatus(conn_) != CONNECTION_OK)
		return ConnectionFailure("connection lost during COPY");
	return st;
}

} // namespace pgwatch_rpc::libpq
