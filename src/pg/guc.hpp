// The pgwatch_rpc.* configuration parameters (STYLE.md §6.3). guc.cpp defines them all in one
// place; the launcher, the SQL functions and the key file code read these variables. Their
// defaults equal the defaults of config::ListenerSettings (src/core/config/listener_settings.hpp),
// which the launcher renders into the listener's settings file.
#pragma once

// Values of pgwatch_rpc.ack.
enum PgwatchRpcAckMode { PGWATCH_RPC_ACK_DURABLE = 0, PGWATCH_RPC_ACK_FAST = 1 };

// Where the launcher runs and what it starts.
extern char *pgwatch_rpc_database; // PGC_POSTMASTER: database holding the extension
extern char *pgwatch_rpc_binary;   // path of pgwatch-rpc; "" = next to the postgres executable
extern char *pgwatch_rpc_key_file; // default key's secret; relative paths are in the data directory
extern int pgwatch_rpc_max_sinks;  // PGC_POSTMASTER: most delivery children the launcher runs

// The listener's network and TLS settings.
extern char *pgwatch_rpc_listen_addresses;
extern int pgwatch_rpc_port;
extern bool pgwatch_rpc_tls;
extern char *pgwatch_rpc_ssl_cert_file; // "" = the self-signed certificate in <data>/pgwatch_rpc
extern char *pgwatch_rpc_ssl_key_file;
extern char *pgwatch_rpc_ssl_ca_file; // "" = no client certificates
extern char *pgwatch_rpc_tls_san;     // extra subjectAltNames of the self-signed certificate

// Ingest behaviour and limits. Units are those of the GUC (see guc.cpp).
extern int pgwatch_rpc_ack; // PgwatchRpcAckMode
extern int pgwatch_rpc_max_message_size_kb;
extern int pgwatch_rpc_max_rows;
extern int pgwatch_rpc_max_depth;
extern int pgwatch_rpc_max_string_bytes;
extern int pgwatch_rpc_max_name_bytes;
extern int pgwatch_rpc_max_fields_per_struct;
extern int pgwatch_rpc_max_concurrent_streams;
extern int pgwatch_rpc_max_connections;
extern int pgwatch_rpc_handshake_timeout_ms;
extern int pgwatch_rpc_idle_timeout_ms;
extern int pgwatch_rpc_request_timeout_ms;
extern int pgwatch_rpc_batch_max_envelopes;
extern int pgwatch_rpc_batch_linger_us;
extern int pgwatch_rpc_spool_max_size_mb; // 0 = no cap
extern int pgwatch_rpc_spool_retention_s; // keep delivered spool partitions this long; 0 = drop once passed

namespace pgwatch_rpc::pg {

// DefineGucs defines every pgwatch_rpc.* parameter and reserves the prefix. Called once from
// _PG_init in every process that loads the library.
void DefineGucs(void);

} // namespace pgwatch_rpc::pg
