// Prepares the listener child's files: the self-signed certificate, created once in-process
// with OpenSSL (DESIGN.md §6), and the settings file rendered from the pgwatch_rpc.* GUCs.
// Core types (std::string, vectors) live only inside the InvokeCpp lambdas, so no C++ object
// with a destructor is alive when these functions ereport.
#include "core/config/listener_settings.hpp" // before PostgreSQL's headers: core_only.hpp refuses them
#include "core/tls/self_signed.hpp"

#include "pg/pg_prelude.h"
#include "pg/cpp_guard.hpp"

#include "pg/guc.hpp"
#include "pg/listener_files.hpp"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

namespace pgwatch_rpc::pg {
namespace {

constexpr const char *kDirectoryName = "pgwatch_rpc";
constexpr const char *kSelfSignedCertificate = "server.crt";
constexpr const char *kSelfSignedKey = "server.key";
constexpr const char *kSettingsFile = "listener.conf";
constexpr const char *kBinaryName = "pgwatch-rpc";

char *InDataDirectory(const char *path) {
	if (is_absolute_path(path))
		return pstrdup(path);
	return psprintf("%s/%s", DataDir, path);
}

bool FileExists(const char *path) {
	struct stat st;
	return stat(path, &st) == 0;
}

// EnsureListenerDirectory creates <data>/pgwatch_rpc with mode 0700 if it does not exist.
void EnsureListenerDirectory(void) {
	char *directory = ListenerDirectory();
	if (mkdir(directory, S_IRWXU) != 0 && errno != EEXIST)
		ereport(ERROR,
		        (errcode_for_file_access(), errmsg("could not create directory \"%s\": %m", directory)));
	pfree(directory);
}

// SplitList splits a comma-separated GUC value, trimming blanks; empty entries are dropped.
std::vector<std::string> SplitList(const char *value) {
	std::vector<std::string> items;
	std::string item;
	for (const char *p = value;; p++) {
		if (*p == ',' || *p == '\0') {
			size_t begin = item.find_first_not_of(" \t");
			if (begin != std::string::npos)
				items.push_back(item.substr(begin, item.find_last_not_of(" \t") - begin + 1));
			item.clear();
			if (*p == '\0')
				break;
		} else {
			item += *p;
		}
	}
	return items;
}

// SubjectAltNames: the names clients dial (DESIGN.md §6), then pgwatch_rpc.tls_san, without
// repetitions.
std::vector<std::string> SubjectAltNames(const char *host_name, const char *extra_names) {
	std::vector<std::string> names;
	std::vector<std::string> candidates{host_name, "localhost", "127.0.0.1", "::1"};
	for (std::string &extra : SplitList(extra_names))
		candidates.push_back(std::move(extra));
	for (std::string &candidate : candidates)
		if (std::find(names.begin(), names.end(), candidate) == names.end())
			names.push_back(std::move(candidate));
	return names;
}

std::string Joined(const std::vector<std::string> &names) {
	std::string joined;
	for (const std::string &name : names)
		joined += (joined.empty() ? "" : ", ") + name;
	return joined;
}

// ChildLogLevel: the child drops records the server would not log anyway. The server ranks
// LOG above WARNING for the log file, the child does not: "log" lets WARNING and ERROR through.
const char *ChildLogLevel(void) {
	if (log_min_messages <= DEBUG1)
		return "debug";
	if (log_min_messages == INFO)
		return "info";
	return "log";
}

} // namespace

char *ListenerDirectory(void) {
	return psprintf("%s/%s", DataDir, kDirectoryName);
}

char *ResolvedCertificatePath(void) {
	if (pgwatch_rpc_ssl_cert_file[0] != '\0')
		return InDataDirectory(pgwatch_rpc_ssl_cert_file);
	return psprintf("%s/%s/%s", DataDir, kDirectoryName, kSelfSignedCertificate);
}

char *ResolvedPrivateKeyPath(void) {
	// Without ssl_key_file the key is expected in the certificate's file (a combined PEM).
	if (pgwatch_rpc_ssl_cert_file[0] != '\0')
		return InDataDirectory(pgwatch_rpc_ssl_key_file[0] != '\0' ? pgwatch_rpc_ssl_key_file
		                                                           : pgwatch_rpc_ssl_cert_file);
	return psprintf("%s/%s/%s", DataDir, kDirectoryName, kSelfSignedKey);
}

char *ResolvedCaPath(void) {
	if (pgwatch_rpc_ssl_ca_file[0] == '\0')
		return nullptr;
	return InDataDirectory(pgwatch_rpc_ssl_ca_file);
}

char *ResolvedBinaryPath(void) {
	if (pgwatch_rpc_binary[0] != '\0')
		return InDataDirectory(pgwatch_rpc_binary);
	char directory[MAXPGPATH];
	strlcpy(directory, my_exec_path, sizeof directory);
	get_parent_directory(directory);
	return psprintf("%s/%s", directory, kBinaryName);
}

char *ListenerSettingsPath(void) {
	return psprintf("%s/%s/%s", DataDir, kDirectoryName, kSettingsFile);
}

void EnsureSelfSignedCertificate(void) {
	if (pgwatch_rpc_ssl_cert_file[0] != '\0')
		return;
	char *certificate_path = ResolvedCertificatePath();
	char *key_path = ResolvedPrivateKeyPath();
	if (FileExists(certificate_path) && FileExists(key_path))
		return;
	EnsureListenerDirectory();

	char host_name[256];
	if (gethostname(host_name, sizeof host_name) != 0 || host_name[0] == '\0')
		strlcpy(host_name, "localhost", sizeof host_name);
	host_name[sizeof host_name - 1] = '\0';
	const char *extra_names = pgwatch_rpc_tls_san;
	char *names = InvokeCpp("could not create the self-signed certificate of the pgwatch_rpc listener",
	                        ERRCODE_INTERNAL_ERROR, [&] {
		                        std::vector<std::string> sans = SubjectAltNames(host_name, extra_names);
		                        tls::PemPair pair = tls::CreateSelfSigned(host_name, sans);
		                        // Key first: a certificate is only ever present with its key.
		                        tls::WriteFileAtomically(key_path, pair.private_key_pem, 0600);
		                        tls::WriteFileAtomically(certificate_path, pair.certificate_pem, 0600);
		                        return strdup(Joined(sans).c_str());
	                        });
	if (names == nullptr)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	char *logged = pstrdup(names);
	free(names);
	ereport(LOG,
	        (errmsg("pgwatch_rpc created a self-signed certificate in \"%s\"", certificate_path),
	         errdetail("Its subject alternative names are %s.", logged),
	         errhint("Give this file to pgwatch as sslrootca; SELECT rpc_tls_certificate() prints it.")));
}

void WriteListenerSettings(void) {
	EnsureListenerDirectory();
	char *path = ListenerSettingsPath();
	char *certificate = ResolvedCertificatePath();
	char *key = ResolvedPrivateKeyPath();
	char *ca = ResolvedCaPath();
	const char *log_level = ChildLogLevel();
	InvokeCpp("could not write the pgwatch_rpc listener settings", ERRCODE_INTERNAL_ERROR, [&] {
		config::ListenerSettings settings;
		settings.listen_addresses = SplitList(pgwatch_rpc_listen_addresses);
		settings.port = pgwatch_rpc_port;
		settings.tls = pgwatch_rpc_tls;
		settings.ssl_cert_file = certificate;
		settings.ssl_key_file = key;
		settings.ssl_ca_file = ca == nullptr ? "" : ca;
		settings.ack =
		    pgwatch_rpc_ack == PGWATCH_RPC_ACK_FAST ? config::AckMode::kFast : config::AckMode::kDurable;
		settings.max_message_size = static_cast<size_t>(pgwatch_rpc_max_message_size_kb) * 1024;
		settings.limits.max_rows = static_cast<size_t>(pgwatch_rpc_max_rows);
		settings.limits.max_depth = pgwatch_rpc_max_depth;
		settings.limits.max_string_bytes = static_cast<size_t>(pgwatch_rpc_max_string_bytes);
		settings.limits.max_name_bytes = static_cast<size_t>(pgwatch_rpc_max_name_bytes);
		settings.limits.max_fields_per_struct = static_cast<size_t>(pgwatch_rpc_max_fields_per_struct);
		settings.max_concurrent_streams = pgwatch_rpc_max_concurrent_streams;
		settings.max_connections = pgwatch_rpc_max_connections;
		settings.handshake_timeout_ms = pgwatch_rpc_handshake_timeout_ms;
		settings.idle_timeout_ms = pgwatch_rpc_idle_timeout_ms;
		settings.request_timeout_ms = pgwatch_rpc_request_timeout_ms;
		settings.batch_max_envelopes = pgwatch_rpc_batch_max_envelopes;
		settings.batch_linger_us = pgwatch_rpc_batch_linger_us;
		settings.spool_max_size = static_cast<int64_t>(pgwatch_rpc_spool_max_size_mb) << 20;
		settings.log_min_messages = log_level;
		tls::WriteFileAtomically(path, config::RenderListenerSettings(settings), 0600);
	});
}

} // namespace pgwatch_rpc::pg
