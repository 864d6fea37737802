// Defines every pgwatch_rpc.* parameter (STYLE.md §6.3). Defaults and ranges equal those of
// config::ListenerSettings and its parser (src/core/config/listener_settings.*), so what the
// launcher renders from these values is always a valid listener settings file.
#include "pg/pg_prelude.h"

#include "pg/guc.hpp"

char *pgwatch_rpc_database = nullptr;
char *pgwatch_rpc_binary = nullptr;
char *pgwatch_rpc_key_file = nullptr;
int pgwatch_rpc_max_sinks = 32;
char *pgwatch_rpc_listen_addresses = nullptr;
int pgwatch_rpc_port = 5051;
bool pgwatch_rpc_tls = true;
char *pgwatch_rpc_ssl_cert_file = nullptr;
char *pgwatch_rpc_ssl_key_file = nullptr;
char *pgwatch_rpc_ssl_ca_file = nullptr;
char *pgwatch_rpc_tls_san = nullptr;
int pgwatch_rpc_ack = PGWATCH_RPC_ACK_DURABLE;
int pgwatch_rpc_max_message_size_kb = 64 * 1024;
int pgwatch_rpc_max_rows = 100000;
int pgwatch_rpc_max_depth = 32;
int pgwatch_rpc_max_string_bytes = 1024 * 1024;
int pgwatch_rpc_max_name_bytes = 128;
int pgwatch_rpc_max_fields_per_struct = 10000;
int pgwatch_rpc_max_concurrent_streams = 32;
int pgwatch_rpc_max_connections = 256;
int pgwatch_rpc_handshake_timeout_ms = 10000;
int pgwatch_rpc_idle_timeout_ms = 600000;
int pgwatch_rpc_request_timeout_ms = 30000;
int pgwatch_rpc_batch_max_envelopes = 256;
int pgwatch_rpc_batch_linger_us = 0;
int pgwatch_rpc_spool_max_size_mb = 10 * 1024;
int pgwatch_rpc_spool_retention_s = 24 * 60 * 60;

namespace pgwatch_rpc::pg {
namespace {

const struct config_enum_entry kAckOptions[] = {
    {"durable", PGWATCH_RPC_ACK_DURABLE, false},
    {"fast", PGWATCH_RPC_ACK_FAST, false},
    {nullptr, 0, false},
};

constexpr int kKB = 1024;
constexpr int kMinuteMs = 60 * 1000;
constexpr int kHourMs = 60 * kMinuteMs;

void DefineString(const char *name, const char *description, char **variable, const char *default_value,
                  GucContext context, int flags) {
	DefineCustomStringVariable(name, description, nullptr, variable, default_value, context, flags, nullptr,
	                           nullptr, nullptr);
}

void DefineInt(const char *name, const char *description, int *variable, int default_value, int min_value,
               int max_value, int flags) {
	DefineCustomIntVariable(name, description, nullptr, variable, default_value, min_value, max_value,
	                        PGC_SIGHUP, flags, nullptr, nullptr, nullptr);
}

void DefineProcessGucs(void) {
	DefineString("pgwatch_rpc.database",
	             gettext_noop("Database in which the launcher waits for the extension."),
	             &pgwatch_rpc_database, "postgres", PGC_POSTMASTER, GUC_SUPERUSER_ONLY);
	DefineString("pgwatch_rpc.binary",
	             gettext_noop("Path of the pgwatch-rpc program the launcher starts; empty means the "
	                          "one installed next to the postgres executable."),
	             &pgwatch_rpc_binary, "", PGC_SIGHUP, GUC_SUPERUSER_ONLY);
	DefineString(
	    "pgwatch_rpc.key_file",
	    gettext_noop("File holding the secret of the key named default; relative to the data directory."),
	    &pgwatch_rpc_key_file, "pgwatch_rpc/default.key", PGC_SIGHUP, GUC_SUPERUSER_ONLY);
	// The launcher sizes its table of delivery children once, at start. 0: delivery runs
	// elsewhere (standalone `pgwatch-rpc deliver` processes, DESIGN.md §3.5).
	DefineCustomIntVariable("pgwatch_rpc.max_sinks",
	                        gettext_noop("Most enabled sinks the launcher runs a delivery process for; 0 "
	                                     "means none."),
	                        nullptr, &pgwatch_rpc_max_sinks, 32, 0, 1000, PGC_POSTMASTER, 0, nullptr, nullptr, nullptr);
}

void DefineNetworkGucs(void) {
	// SIGHUP rather than POSTMASTER: the launcher restarts the listener when these change.
	DefineString("pgwatch_rpc.listen_addresses",
	             gettext_noop("Host names or IP addresses the gRPC listener binds to, comma-separated; "
	                          "\"*\" for all."),
	             &pgwatch_rpc_listen_addresses, "localhost", PGC_SIGHUP, GUC_LIST_INPUT);
	DefineCustomIntVariable("pgwatch_rpc.port", gettext_noop("TCP port of the gRPC listener."), nullptr,
	                        &pgwatch_rpc_port, 5051, 1, 65535, PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
	DefineCustomBoolVariable("pgwatch_rpc.tls", gettext_noop("Serves gRPC over TLS; off means plaintext."),
	                         nullptr, &pgwatch_rpc_tls, true, PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
	DefineString("pgwatch_rpc.ssl_cert_file",
	             gettext_noop("Server certificate of the gRPC listener (PEM); empty means a self-signed "
	                          "certificate created in the data directory."),
	             &pgwatch_rpc_ssl_cert_file, "", PGC_SIGHUP, GUC_SUPERUSER_ONLY);
	DefineString("pgwatch_rpc.ssl_key_file", gettext_noop("Private key of pgwatch_rpc.ssl_cert_file (PEM)."),
	             &pgwatch_rpc_ssl_key_file, "", PGC_SIGHUP, GUC_SUPERUSER_ONLY);
	DefineString("pgwatch_rpc.ssl_ca_file",
	             gettext_noop("Certificate authorities for client certificates; when set, clients must "
	                          "present a certificate they signed."),
	             &pgwatch_rpc_ssl_ca_file, "", PGC_SIGHUP, GUC_SUPERUSER_ONLY);
	DefineString("pgwatch_rpc.tls_san",
	             gettext_noop("Extra subject alternative names (host names or IP addresses, comma-separated) "
	                          "of the self-signed certificate."),
	             &pgwatch_rpc_tls_san, "", PGC_SIGHUP, GUC_LIST_INPUT);
}

void DefineIngestGucs(void) {
	DefineCustomEnumVariable(
	    "pgwatch_rpc.ack",
	    gettext_noop("When a call is answered: after a flushed commit (durable) or after an "
	                 "asynchronous commit (fast; a server crash may lose the last "
	                 "fraction of a second)."),
	    nullptr, &pgwatch_rpc_ack, PGWATCH_RPC_ACK_DURABLE, kAckOptions, PGC_SIGHUP, 0, nullptr, nullptr,
	    nullptr);
	DefineInt("pgwatch_rpc.max_message_size", gettext_noop("Largest gRPC message accepted."),
	          &pgwatch_rpc_max_message_size_kb, 64 * kKB, 1, kKB * kKB, GUC_UNIT_KB);
	DefineInt("pgwatch_rpc.max_rows", gettext_noop("Most rows accepted in one measurement envelope."),
	          &pgwatch_rpc_max_rows, 100000, 1, 10000000, 0);
	DefineInt("pgwatch_rpc.max_depth", gettext_noop("Deepest nesting of values accepted in a row."),
	          &pgwatch_rpc_max_depth, 32, 1, 100, 0);
	DefineInt("pgwatch_rpc.max_string_bytes", gettext_noop("Longest string value or key accepted."),
	          &pgwatch_rpc_max_string_bytes, kKB * kKB, 1, kKB * kKB * kKB, GUC_UNIT_BYTE);
	DefineInt("pgwatch_rpc.max_name_bytes",
	          gettext_noop("Longest database name, metric name or tag key accepted."),
	          &pgwatch_rpc_max_name_bytes, 128, 1, 64 * kKB, GUC_UNIT_BYTE);
	DefineInt("pgwatch_rpc.max_fields_per_struct",
	          gettext_noop("Most fields accepted in one row, nested structure or set of custom tags."),
	          &pgwatch_rpc_max_fields_per_struct, 10000, 1, 10000000, 0);
	DefineInt("pgwatch_rpc.max_concurrent_streams", gettext_noop("Most calls in flight on one connection."),
	          &pgwatch_rpc_max_concurrent_streams, 32, 1, 1000, 0);
	DefineInt("pgwatch_rpc.max_connections", gettext_noop("Most client connections the listener holds."),
	          &pgwatch_rpc_max_connections, 256, 1, 100000, 0);
	DefineInt("pgwatch_rpc.handshake_timeout",
	          gettext_noop("Time a new connection has to complete its TLS and HTTP/2 handshake."),
	          &pgwatch_rpc_handshake_timeout_ms, 10000, 100, 10 * kMinuteMs, GUC_UNIT_MS);
	DefineInt("pgwatch_rpc.idle_timeout",
	          gettext_noop("Time after which a connection with no calls is closed."),
	          &pgwatch_rpc_idle_timeout_ms, 600000, 1000, 24 * kHourMs, GUC_UNIT_MS);
	DefineInt("pgwatch_rpc.request_timeout", gettext_noop("Time a client has to send a whole request."),
	          &pgwatch_rpc_request_timeout_ms, 30000, 100, kHourMs, GUC_UNIT_MS);
	DefineInt("pgwatch_rpc.batch_max_envelopes", gettext_noop("Most envelopes committed in one transaction."),
	          &pgwatch_rpc_batch_max_envelopes, 256, 1, 10000, 0);
	// No microsecond unit exists for GUCs: the value is in microseconds, like commit_delay.
	DefineInt("pgwatch_rpc.batch_linger",
	          gettext_noop("Microseconds the group committer waits for more envelopes before committing."),
	          &pgwatch_rpc_batch_linger_us, 0, 0, 1000000, 0);
	DefineInt(
	    "pgwatch_rpc.spool_max_size",
	    gettext_noop("Spool size above which calls are refused with RESOURCE_EXHAUSTED; 0 means no cap."),
	    &pgwatch_rpc_spool_max_size_mb, 10 * kKB, 0, kKB * kKB * kKB, GUC_UNIT_MB);
	// A day: delivered payloads stay inspectable (rpc_decode) for a day, and a sink disabled for
	// maintenance can be enabled again within a day without losing what it had not delivered.
	DefineInt("pgwatch_rpc.spool_retention",
	          gettext_noop("Time a daily spool partition is kept after its day ended; then it is dropped "
	                       "once every enabled sink has delivered it. 0 means as soon as they have."),
	          &pgwatch_rpc_spool_retention_s, 24 * 60 * 60, 0, INT_MAX, GUC_UNIT_S);
}

} // namespace

void DefineGucs(void) {
	DefineProcessGucs();
	DefineNetworkGucs();
	DefineIngestGucs();
	MarkGUCPrefixReserved("pgwatch_rpc");
}

} // namespace pgwatch_rpc::pg
