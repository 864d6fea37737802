// Non-blocking libpq session on the event loop (see pg_session.hpp).
#include "core/spool/pg_session.hpp"

#include "core/log/log.hpp"

#include <sys/epoll.h>

#include <utility>

namespace pgwatch_rpc::spool {

std::string OneLine(const std::string &message) {
	// libpq messages span lines ("...failed: X\n\tIs the server running..."): one line
	// reads better in logs and in a client's grpc-message.
	std::string out;
	bool space = false;
	for (char c : message) {
		if (c == '\n' || c == '\t' || c == '\r' || c == ' ') {
			space = true;
			continue;
		}
		if (space && !out.empty())
			out += ' ';
		space = false;
		out += c;
	}
	return out;
}

std::string ErrorText(PGconn *conn) {
	return OneLine(conn ? PQerrorMessage(conn) : "out of memory");
}

namespace {
// libpq prints notices (and asynchronous FATALs) on stderr by default; our stderr is the
// launcher's log relay, so route them through the logger as one DEBUG record each.
void OnNotice(void *, const char *message) {
	log::Write(log::Level::kDebug, "database notice: " + OneLine(message));
}
} // namespace

PgSession::PgSession(loop::EventLoop &loop, std::string conninfo, Callbacks callbacks)
    : loop_(loop), conninfo_(std::move(conninfo)), callbacks_(std::move(callbacks)) {}

PgSession::~PgSession() {
	Close();
}

void PgSession::Close() {
	if (token_ != 0)
		loop_.Unwatch(token_);
	token_ = 0;
	watched_fd_ = -1;
	interest_ = 0;
	if (conn_)
		PQfinish(conn_);
	conn_ = nullptr;
	state_ = State::kDisconnected;
	in_flight_ = false;
	flushing_ = false;
	done_ = nullptr;
	outcome_ = PgOutcome{};
}

void PgSession::WatchSocket(uint32_t events) {
	int fd = PQsocket(conn_);
	// libpq may switch sockets while connecting (several hosts/addresses): re-register.
	if (fd != watched_fd_) {
		if (token_ != 0)
			loop_.Unwatch(token_);
		token_ = 0;
		watched_fd_ = fd;
		interest_ = 0;
		if (fd < 0)
			return;
		token_ = loop_.Watch(fd, events, [this](uint32_t ev) { OnEvents(ev); });
		interest_ = events;
		return;
	}
	if (events != interest_ && token_ != 0) {
		loop_.Modify(token_, events);
		interest_ = events;
	}
}

void PgSession::Connect() {
	if (state_ != State::kDisconnected)
		return;
	// UTF-8 because names and messages end up in JSON and gRPC headers.
	const char *keys[] = {"dbname", "fallback_application_name", "client_encoding", nullptr};
	const char *values[] = {conninfo_.c_str(), "pgwatch-rpc listen", "UTF8", nullptr};
	conn_ = PQconnectStartParams(keys, values, 1);
	if (!conn_ || PQstatus(conn_) == CONNECTION_BAD) {
		std::string reason = ErrorText(conn_);
		Close();
		callbacks_.connect_failed(reason);
		return;
	}
	PQsetNoticeProcessor(conn_, OnNotice, nullptr);
	state_ = State::kConnecting;
	// The first poll step always wants the socket writable.
	WatchSocket(EPOLLOUT);
}

void PgSession::ContinueConnect() {
	PostgresPollingStatusType status = PQconnectPoll(conn_);
	switch (status) {
	case PGRES_POLLING_READING:
		WatchSocket(EPOLLIN);
		return;
	case PGRES_POLLING_WRITING:
		WatchSocket(EPOLLOUT);
		return;
	case PGRES_POLLING_OK:
		if (PQsetnonblocking(conn_, 1) != 0) {
			std::string reason = ErrorText(conn_);
			Close();
			callbacks_.connect_failed(reason);
			return;
		}
		state_ = State::kReady;
		WatchSocket(EPOLLIN);
		callbacks_.connected();
		return;
	default: {
		std::string reason = ErrorText(conn_);
		Close();
		callbacks_.connect_failed(reason);
		return;
	}
	}
}

bool PgSession::Send(const PgQuery &query, std::function<void(PgOutcome &)> done) {
	if (!ready())
		return false;
	int sent;
	if (query.simple) {
		sent = PQsendQuery(conn_, query.sql.c_str());
	} else if (query.prepare) {
		sent = PQsendPrepare(conn_, query.statement.c_str(), query.sql.c_str(), static_cast<int>(query.types.size()),
		                     query.types.empty() ? nullptr : query.types.data());
	} else {
		std::vector<const char *> values;
		std::vector<int> lengths;
		for (const std::string &v : query.values) {
			values.push_back(v.data());
			lengths.push_back(static_cast<int>(v.size()));
		}
		const int *formats = query.formats.empty() ? nullptr : query.formats.data();
		if (!query.statement.empty())
			sent = PQsendQueryPrepared(conn_, query.statement.c_str(), static_cast<int>(values.size()),
			                           values.data(), lengths.data(), formats, 0);
		else
			sent = PQsendQueryParams(conn_, query.sql.c_str(), static_cast<int>(values.size()),
			                         query.types.empty() ? nullptr : query.types.data(), values.data(),
			                         lengths.data(), formats, 0);
	}
	in_flight_ = true;
	done_ = std::move(done);
	outcome_ = PgOutcome{};
	if (!sent) {
		// The only reasons are a broken connection or out of memory: treat both as a loss,
		// reported from the loop (after events) rather than from inside Send.
		loop_.timers().Schedule(0, [this, reason = ErrorText(conn_)] { Fail(reason); });
		return true;
	}
	flushing_ = true;
	UpdateInterest();
	return true;
}

void PgSession::UpdateInterest() {
	if (flushing_) {
		int rc = PQflush(conn_);
		if (rc < 0) {
			Fail(ErrorText(conn_));
			return;
		}
		flushing_ = rc == 1;
	}
	WatchSocket(flushing_ ? (EPOLLIN | EPOLLOUT) : EPOLLIN);
}

void PgSession::OnEvents(uint32_t events) {
	if (state_ == State::kConnecting) {
		ContinueConnect();
		return;
	}
	if (state_ != State::kReady)
		return;
	if (events & EPOLLOUT) {
		UpdateInterest();
		if (state_ != State::kReady)
			return;
	}
	if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
		Drain();
}

void PgSession::Drain() {
	if (!PQconsumeInput(conn_)) {
		Fail(ErrorText(conn_));
		return;
	}
	while (PGnotify *notify = PQnotifies(conn_)) {
		std::string channel = notify->relname;
		PQfreemem(notify);
		callbacks_.notified(channel);
		if (state_ != State::kReady)
			return;
	}
	if (in_flight_)
		CollectResults();
	else if (PQstatus(conn_) == CONNECTION_BAD)
		Fail(ErrorText(conn_));
}

void PgSession::CollectResults() {
	while (!PQisBusy(conn_)) {
		PGresult *raw = PQgetResult(conn_);
		if (!raw) {
			if (PQstatus(conn_) == CONNECTION_BAD) {
				Fail(outcome_.error.empty() ? ErrorText(conn_) : outcome_.error);
				return;
			}
			outcome_.ok = outcome_.error.empty();
			in_flight_ = false;
			auto done = std::move(done_);
			done_ = nullptr;
			PgOutcome outcome = std::move(outcome_);
			outcome_ = PgOutcome{};
			done(outcome);
			return;
		}
		PgResultPtr result(raw);
		ExecStatusType status = PQresultStatus(raw);
		if (status == PGRES_TUPLES_OK) {
			outcome_.rows = std::move(result);
		} else if (status != PGRES_COMMAND_OK && status != PGRES_EMPTY_QUERY && outcome_.error.empty()) {
			const char *primary = PQresultErrorField(raw, PG_DIAG_MESSAGE_PRIMARY);
			const char *state = PQresultErrorField(raw, PG_DIAG_SQLSTATE);
			outcome_.error = OneLine(primary ? primary : PQresultErrorMessage(raw));
			outcome_.sqlstate = state ? state : "";
		}
	}
	if (PQstatus(conn_) == CONNECTION_BAD)
		Fail(ErrorText(conn_));
}

void PgSession::Fail(const std::string &reason) {
	if (state_ == State::kDisconnected)
		return;
	bool had_query = in_flight_;
	auto done = std::move(done_);
	PgOutcome outcome = std::move(outcome_);
	Close();
	if (had_query && done) {
		outcome.ok = false;
		outcome.connection_lost = true;
		outcome.error = reason;
		done(outcome);
	} else {
		callbacks_.lost(reason);
	}
}

} // namespace pgwatch_rpc::spool
