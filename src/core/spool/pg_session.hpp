// A non-blocking libpq connection driven by the listener's event loop (GRPC.md §14: never
// block the loop). PQconnectStart/PQconnectPoll to connect, then PQsetnonblocking; its socket
// sits in the same epoll set. At most one query is in flight; its results are collected and
// handed to a callback as one outcome. NOTIFY messages are reported as they arrive.
#pragma once
#include "core/core_only.hpp"
#include "core/loop/event_loop.hpp"

#include <libpq-fe.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace pgwatch_rpc::spool {

struct PgResultDeleter {
	void operator()(PGresult *result) const { PQclear(result); }
};
using PgResultPtr = std::unique_ptr<PGresult, PgResultDeleter>;

struct PgQuery {
	std::string sql;
	bool simple = false; // simple protocol: several statements, no parameters
	// statement names a prepared statement of this connection. With prepare, sql is parsed
	// and planned once under that name (types give the parameter types); without it, the
	// statement runs with values and sql is unused, saving the server a parse and a plan.
	std::string statement;
	bool prepare = false;
	std::vector<std::string> values; // parameters, all non-NULL
	std::vector<Oid> types;          // 0 = let the server infer
	std::vector<int> formats;        // 0 text, 1 binary; empty = all text
};

struct PgOutcome {
	bool ok = false;
	bool connection_lost = false; // the connection broke: it has been closed already
	std::string error;            // primary message of the first error, or the libpq reason
	std::string sqlstate;
	PgResultPtr rows; // the last PGRES_TUPLES_OK result, if any
};

class PgSession {
public:
	struct Callbacks {
		std::function<void()> connected;
		std::function<void(const std::string &reason)> connect_failed;
		// lost: the connection broke while idle (a query in flight gets connection_lost).
		std::function<void(const std::string &reason)> lost;
		std::function<void(const std::string &channel)> notified;
	};
	PgSession(loop::EventLoop &loop, std::string conninfo, Callbacks callbacks);
	~PgSession();
	PgSession(const PgSession &) = delete;
	PgSession &operator=(const PgSession &) = delete;

	// Connect starts connecting (the outcome arrives through the callbacks). No-op unless
	// disconnected.
	void Connect();
	// Close drops the connection without callbacks; a query in flight is abandoned.
	void Close();

	bool ready() const { return state_ == State::kReady && !in_flight_; }
	bool connected() const { return state_ == State::kReady; }
	bool busy() const { return in_flight_; }

	// Send starts a query when ready() (returns false otherwise). done runs exactly once,
	// from the event loop, never from inside Send.
	bool Send(const PgQuery &query, std::function<void(PgOutcome &)> done);

private:
	enum class State { kDisconnected, kConnecting, kReady };
	void OnEvents(uint32_t events);
	void ContinueConnect();
	void WatchSocket(uint32_t events);
	void Drain();
	void CollectResults();
	void Fail(const std::string &reason);
	void UpdateInterest();

	loop::EventLoop &loop_;
	std::string conninfo_;
	Callbacks callbacks_;
	PGconn *conn_ = nullptr;
	State state_ = State::kDisconnected;
	int watched_fd_ = -1;
	uint64_t token_ = 0;
	uint32_t interest_ = 0;
	bool in_flight_ = false;
	bool flushing_ = false;
	PgOutcome outcome_;
	std::function<void(PgOutcome &)> done_;
};

// OneLine joins a multi-line libpq/PostgreSQL message into one line (whitespace runs → ' ').
std::string OneLine(const std::string &message);

// ErrorText: libpq's connection error message as one line.
std::string ErrorText(PGconn *conn);

} // namespace pgwatch_rpc::spool
