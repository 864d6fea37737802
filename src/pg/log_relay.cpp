// Relays a child's output into the server log, one ereport per line (DESIGN.md §3.2). A child
// is not trusted to be well-behaved here: lines are bounded, control characters are blanked,
// reading per wakeup is bounded, and no level maps to ERROR or above.
#include "core/log/log.hpp" // before PostgreSQL's headers: core_only.hpp refuses to follow them

#include "pg/pg_prelude.h"
#include "pg/cpp_guard.hpp"

#include "pg/log_relay.hpp"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <string_view>

namespace pgwatch_rpc::pg {
namespace {

int ServerLevel(log::Level level) {
	switch (level) {
	case log::Level::kDebug:
		return DEBUG1;
	case log::Level::kWarning:
	case log::Level::kError: // an ereport(ERROR) would abort the launcher
		return WARNING;
	case log::Level::kInfo:
	case log::Level::kLog:
		break;
	}
	return LOG;
}

// SaysAuthRefused: the server's texts when pg_hba.conf has no line for the child, rejects it,
// or asks for a method the child cannot satisfy (peer, ident, a wrong password).
bool SaysAuthRefused(const char *text) {
	return strstr(text, "no pg_hba.conf entry") != nullptr ||
	       strstr(text, "pg_hba.conf rejects connection") != nullptr ||
	       strstr(text, "authentication failed for user") != nullptr;
}

// EmitLine logs relay->line[0..length) and starts a new line.
void EmitLine(LogRelay *relay) {
	char *text = relay->line;
	size_t length = relay->length;
	bool truncated = relay->truncating;
	relay->length = 0;
	relay->truncating = false;
	if (length > 0 && text[length - 1] == '\r')
		length--;
	text[length] = '\0';
	for (size_t i = 0; i < length; i++)
		if (static_cast<unsigned char>(text[i]) < 0x20 && text[i] != '\t')
			text[i] = ' ';
	if (length == 0)
		return;
	if (SaysAuthRefused(text))
		relay->auth_refused = true;

	log::Level level = log::Level::kLog;
	std::string_view message;
	bool parsed = InvokeCpp("could not parse a child's log line", ERRCODE_INTERNAL_ERROR,
	                        [&] { return log::ParseLine(std::string_view(text, length), &level, &message); });
	const char *body = parsed ? message.data() : text;
	const char *error_mark = parsed && level == log::Level::kError ? "error: " : "";
	int elevel = parsed ? ServerLevel(level) : LOG;
	if (truncated)
		ereport(elevel, (errmsg_internal("%s: %s%s", relay->source, error_mark, body),
		                 errdetail("The line was longer than %d bytes and was truncated.",
		                           static_cast<int>(kRelayLineMax))));
	else
		ereport(elevel, (errmsg_internal("%s: %s%s", relay->source, error_mark, body)));
}

void Append(LogRelay *relay, const char *data, size_t size) {
	for (size_t i = 0; i < size; i++) {
		if (data[i] == '\n') {
			EmitLine(relay);
			continue;
		}
		if (relay->length == kRelayLineMax) {
			relay->truncating = true; // keep the head, drop the rest up to the newline
			continue;
		}
		relay->line[relay->length++] = data[i];
	}
}

} // namespace

void LogRelayInit(LogRelay *relay, const char *source) {
	relay->source = source;
	relay->length = 0;
	relay->truncating = false;
	relay->auth_refused = false;
}

bool LogRelayPump(LogRelay *relay, int fd, size_t max_bytes) {
	char chunk[4096];
	size_t total = 0;
	while (total < max_bytes) {
		size_t want = max_bytes - total < sizeof chunk ? max_bytes - total : sizeof chunk;
		ssize_t n = read(fd, chunk, want);
		if (n > 0) {
			Append(relay, chunk, static_cast<size_t>(n));
			total += static_cast<size_t>(n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return true;
		if (n < 0)
			ereport(WARNING, (errcode_for_file_access(),
			                  errmsg("could not read the output of %s: %m", relay->source)));
		if (relay->length > 0 || relay->truncating)
			EmitLine(relay);
		return false;
	}
	return true;
}

} // namespace pgwatch_rpc::pg
