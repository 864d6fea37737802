// The files the launcher prepares for the listener child, under <data directory>/pgwatch_rpc:
// the self-signed certificate (DESIGN.md §6) and the settings file rendered from the GUCs.
// Also the resolved paths, which the SQL functions (rpc_tls_certificate) use as well.
// All functions ereport(ERROR) on failure; returned strings are palloc'd in the current context.
#pragma once

namespace pgwatch_rpc::pg {

// ListenerDirectory: <data directory>/pgwatch_rpc.
char *ListenerDirectory(void);

// ResolvedCertificatePath / ResolvedPrivateKeyPath: pgwatch_rpc.ssl_cert_file / ssl_key_file
// made absolute (relative paths are in the data directory), or the self-signed pair in
// ListenerDirectory() when ssl_cert_file is empty. An empty ssl_key_file with a non-empty
// ssl_cert_file means the key is in the certificate's file.
char *ResolvedCertificatePath(void);
char *ResolvedPrivateKeyPath(void);

// ResolvedCaPath: pgwatch_rpc.ssl_ca_file made absolute, or NULL when it is empty.
char *ResolvedCaPath(void);

// ResolvedBinaryPath: pgwatch_rpc.binary, or pgwatch-rpc in the postgres executable's directory.
char *ResolvedBinaryPath(void);

// ListenerSettingsPath: <data directory>/pgwatch_rpc/listener.conf.
char *ListenerSettingsPath(void);

// EnsureSelfSignedCertificate creates the certificate and its key (mode 0600, directory 0700)
// when pgwatch_rpc.ssl_cert_file is empty and either file is missing. Existing files are never
// replaced: delete both and reload the configuration to get new ones.
void EnsureSelfSignedCertificate(void);

// WriteListenerSettings writes ListenerSettingsPath() (mode 0600) from the current GUC values.
void WriteListenerSettings(void);

} // namespace pgwatch_rpc::pg
