// Reads the listener's certificate file and extracts its certificate chain (tls_files.hpp).
// Bounded: a certificate file larger than kMaxCertificateFileBytes is refused.
#include "pg/pg_prelude.h"

#include "pg/tls_files.hpp"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pgwatch_rpc::pg {
namespace {

constexpr off_t kMaxCertificateFileBytes = 1024 * 1024;
constexpr const char kBegin[] = "-----BEGIN CERTIFICATE-----";
constexpr const char kEnd[] = "-----END CERTIFICATE-----";

// ReadWholeFile returns the file's bytes, NUL-terminated, in palloc'd memory. The buffer is
// allocated before the file is opened, so no ERROR can leak the descriptor.
char *ReadWholeFile(const char *path, bool self_signed) {
	struct stat st;
	if (stat(path, &st) != 0) {
		if (errno == ENOENT && self_signed)
			ereport(ERROR,
			        (errcode(ERRCODE_UNDEFINED_FILE),
			         errmsg("the certificate has not been created yet: the pgwatch_rpc launcher creates it "
			                "at start"),
			         errdetail("\"%s\" does not exist.", path),
			         errhint("Check that pgwatch_rpc is in shared_preload_libraries and that the server log "
			                 "shows no error from the pgwatch_rpc launcher.")));
		ereport(ERROR, (errcode_for_file_access(), errmsg("could not stat certificate file \"%s\": %m", path),
		                errhint("Check pgwatch_rpc.ssl_cert_file.")));
	}
	if (!S_ISREG(st.st_mode) || st.st_size > kMaxCertificateFileBytes)
		ereport(ERROR, (errcode(ERRCODE_CONFIG_FILE_ERROR),
		                errmsg("certificate file \"%s\" is not a regular file of at most %d bytes", path,
		                       (int)kMaxCertificateFileBytes)));

	char *buffer = (char *)palloc(kMaxCertificateFileBytes + 1);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		ereport(ERROR,
		        (errcode_for_file_access(), errmsg("could not open certificate file \"%s\": %m", path)));
	size_t used = 0;
	int read_errno = 0;
	while (used < (size_t)kMaxCertificateFileBytes) {
		ssize_t n = read(fd, buffer + used, kMaxCertificateFileBytes - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			read_errno = errno;
			break;
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	close(fd);
	if (read_errno != 0) {
		errno = read_errno;
		ereport(ERROR,
		        (errcode_for_file_access(), errmsg("could not read certificate file \"%s\": %m", path)));
	}
	buffer[used] = '\0';
	return buffer;
}

} // namespace

char *ReadCertificateChain(const char *path, bool self_signed) {
	char *contents = ReadWholeFile(path, self_signed);
	StringInfoData chain;
	initStringInfo(&chain);
	const char *cursor = contents;
	while (const char *begin = strstr(cursor, kBegin)) {
		const char *end = strstr(begin, kEnd);
		if (end == nullptr)
			break;
		end += sizeof kEnd - 1;
		if (chain.len > 0)
			appendStringInfoChar(&chain, '\n');
		appendBinaryStringInfo(&chain, begin, (int)(end - begin));
		cursor = end;
	}
	pfree(contents);
	if (chain.len == 0)
		ereport(ERROR,
		        (errcode(ERRCODE_CONFIG_FILE_ERROR), errmsg("no PEM certificate in \"%s\"", path),
		         errhint("pgwatch_rpc.ssl_cert_file must name a PEM file that begins with \"%s\".", kBegin)));
	return chain.data;
}

} // namespace pgwatch_rpc::pg
