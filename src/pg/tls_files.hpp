// Reading the listener's certificate for people (rpc_tls_certificate): the certificate chain
// in a PEM file, without anything else the file may hold (a private key in particular).
// ereport(ERROR)s on failure; returned strings are palloc'd in the current context.
#pragma once

namespace pgwatch_rpc::pg {

// ReadCertificateChain returns the CERTIFICATE blocks of the PEM file at path, in file
// order, separated by one newline and without a trailing newline (so `psql -At` prints the
// file's certificates byte for byte). self_signed says the file is the one the launcher
// creates, which changes the error when it does not exist yet.
char *ReadCertificateChain(const char *path, bool self_signed);

} // namespace pgwatch_rpc::pg
