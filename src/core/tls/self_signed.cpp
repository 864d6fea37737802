// In-process creation of the hub's self-signed certificate, and the atomic file write used
// to store it. The certificate is its own CA (pgwatch passes it as sslrootca) and names every
// host and address clients dial in subjectAltName, because Go ignores the CN.
#include "core/tls/self_signed.hpp"

#include "core/tls/openssl_error.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <set>
#include <stdexcept>

namespace pgwatch_rpc::tls {

namespace {

constexpr long kBackdateSeconds = 3600; // tolerate clients whose clock is a little behind
constexpr long kValiditySeconds = 10L * 366 * 24 * 3600;
constexpr size_t kMaxCommonNameBytes = 64; // X.520 ub-common-name

template <typename T, void (*Free)(T *)> struct Deleter {
	void operator()(T *p) const { Free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION, X509_EXTENSION_free>>;
using NamesPtr = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES, GENERAL_NAMES_free>>;
using NamePtr = std::unique_ptr<GENERAL_NAME, Deleter<GENERAL_NAME, GENERAL_NAME_free>>;

[[noreturn]] void Fail(const std::string &what) {
	throw std::runtime_error("could not create the self-signed certificate: " + what + ": " +
	                         TakeOpenSslReason());
}

void Check(int ok, const char *what) {
	if (ok != 1)
		Fail(what);
}

// IsDnsName accepts what certificate verifiers accept in a dNSName: ASCII letters, digits,
// '-', '_', '.', and a leading "*." wildcard label. Go rejects certificates whose SANs are
// not IA5 strings, so anything else is refused here rather than at the client.
bool IsDnsName(const std::string &name) {
	if (name.empty() || name.size() > 253)
		return false;
	size_t start = name.rfind("*.", 0) == 0 ? 2 : 0;
	if (start == name.size())
		return false;
	for (size_t i = start; i < name.size(); i++) {
		unsigned char c = static_cast<unsigned char>(name[i]);
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
		          c == '_' || c == '.';
		if (!ok)
			return false;
	}
	return true;
}

// MakeSanEntry turns one configured name into an iPAddress (v4 or v6 literal, brackets
// allowed around v6) or a dNSName entry.
NamePtr MakeSanEntry(const std::string &entry) {
	std::string literal = entry;
	if (literal.size() > 2 && literal.front() == '[' && literal.back() == ']')
		literal = literal.substr(1, literal.size() - 2);
	unsigned char ip[16];
	int ip_len = 0;
	if (inet_pton(AF_INET, literal.c_str(), ip) == 1)
		ip_len = 4;
	else if (inet_pton(AF_INET6, literal.c_str(), ip) == 1)
		ip_len = 16;

	NamePtr name(GENERAL_NAME_new());
	if (!name)
		Fail("out of memory");
	if (ip_len != 0) {
		ASN1_OCTET_STRING *octets = ASN1_OCTET_STRING_new();
		if (octets == nullptr || ASN1_OCTET_STRING_set(octets, ip, ip_len) != 1) {
			ASN1_OCTET_STRING_free(octets);
			Fail("out of memory");
		}
		GENERAL_NAME_set0_value(name.get(), GEN_IPADD, octets);
		return name;
	}
	if (!IsDnsName(entry))
		throw std::runtime_error("could not create the self-signed certificate: \"" + entry +
		                         "\" is neither an IP address nor a valid DNS name");
	ASN1_IA5STRING *dns = ASN1_IA5STRING_new();
	if (dns == nullptr || ASN1_STRING_set(dns, entry.data(), static_cast<int>(entry.size())) != 1) {
		ASN1_IA5STRING_free(dns);
		Fail("out of memory");
	}
	GENERAL_NAME_set0_value(name.get(), GEN_DNS, dns);
	return name;
}

void AddSubjectAltNames(X509 *cert, const std::vector<std::string> &dns_or_ip) {
	NamesPtr names(GENERAL_NAMES_new());
	if (!names)
		Fail("out of memory");
	std::set<std::string> seen;
	for (const std::string &entry : dns_or_ip) {
		if (entry.empty() || !seen.insert(entry).second)
			continue;
		NamePtr name = MakeSanEntry(entry);
		if (sk_GENERAL_NAME_push(names.get(), name.get()) == 0)
			Fail("out of memory");
		name.release();
	}
	if (sk_GENERAL_NAME_num(names.get()) == 0)
		return;
	Check(X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT),
	      "adding subjectAltName");
}

void AddExtension(X509 *cert, X509V3_CTX *ctx, int nid, const char *value) {
	ExtPtr ext(X509V3_EXT_nconf_nid(nullptr, ctx, nid, value));
	if (!ext)
		Fail(std::string("building extension ") + OBJ_nid2sn(nid));
	Check(X509_add_ext(cert, ext.get(), -1), "adding an extension");
}

// SetRandomSerial: 159 random bits, positive and non-zero (RFC 5280 §4.1.2.2 caps at 20
// octets; unique serials keep clients that cache by issuer+serial from confusing renewals).
void SetRandomSerial(X509 *cert) {
	unsigned char bytes[20];
	Check(RAND_bytes(bytes, sizeof bytes), "generating a serial number");
	bytes[0] &= 0x7f;
	bytes[0] |= 0x01;
	BnPtr bn(BN_bin2bn(bytes, sizeof bytes, nullptr));
	if (!bn || BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) == nullptr)
		Fail("setting the serial number");
}

std::string BioContents(BIO *bio) {
	char *data = nullptr;
	long len = BIO_get_mem_data(bio, &data);
	return std::string(data, static_cast<size_t>(len));
}

} // namespace

PemPair CreateSelfSigned(const std::string &common_name, const std::vector<std::string> &dns_or_ip) {
	if (common_name.empty() || common_name.size() > kMaxCommonNameBytes)
		throw std::runtime_error(
		    "could not create the self-signed certificate: the common name must be 1 to " +
		    std::to_string(kMaxCommonNameBytes) + " bytes long, not " + std::to_string(common_name.size()));

	PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
	if (!key)
		Fail("generating an EC P-256 key");

	X509Ptr cert(X509_new());
	if (!cert)
		Fail("out of memory");
	Check(X509_set_version(cert.get(), X509_VERSION_3), "setting the version");
	SetRandomSerial(cert.get());
	if (X509_gmtime_adj(X509_getm_notBefore(cert.get()), -kBackdateSeconds) == nullptr ||
	    X509_gmtime_adj(X509_getm_notAfter(cert.get()), kValiditySeconds) == nullptr)
		Fail("setting the validity period");

	X509_NAME *subject = X509_get_subject_name(cert.get());
	Check(X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
	                                 reinterpret_cast<const unsigned char *>(common_name.c_str()),
	                                 static_cast<int>(common_name.size()), -1, 0),
	      "setting the common name");
	Check(X509_set_issuer_name(cert.get(), subject), "setting the issuer");
	Check(X509_set_pubkey(cert.get(), key.get()), "setting the public key");

	X509V3_CTX ctx;
	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
	AddExtension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:TRUE");
	AddExtension(cert.get(), &ctx, NID_key_usage, "critical,digitalSignature,keyCertSign");
	AddExtension(cert.get(), &ctx, NID_ext_key_usage, "serverAuth");
	AddExtension(cert.get(), &ctx, NID_subject_key_identifier, "hash");
	AddSubjectAltNames(cert.get(), dns_or_ip);

	if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0)
		Fail("signing");

	BioPtr cert_bio(BIO_new(BIO_s_mem()));
	BioPtr key_bio(BIO_new(BIO_s_mem()));
	if (!cert_bio || !key_bio)
		Fail("out of memory");
	Check(PEM_write_bio_X509(cert_bio.get(), cert.get()), "writing the certificate");
	Check(PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr),
	      "writing the private key");
	PemPair pair;
	pair.certificate_pem = BioContents(cert_bio.get());
	pair.private_key_pem = BioContents(key_bio.get());
	// The key's PEM text stays only in the returned string; scrub OpenSSL's copy.
	char *data = nullptr;
	long len = BIO_get_mem_data(key_bio.get(), &data);
	if (data != nullptr && len > 0)
		OPENSSL_cleanse(data, static_cast<size_t>(len));
	return pair;
}

namespace {

[[noreturn]] void FailFile(const std::string &what, const std::string &path, int err) {
	throw std::runtime_error("could not " + what + " \"" + path + "\": " + std::strerror(err));
}

void WriteAll(int fd, const std::string &data, const std::string &tmp_path) {
	size_t done = 0;
	while (done < data.size()) {
		ssize_t n = ::write(fd, data.data() + done, data.size() - done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			FailFile("write", tmp_path, errno);
		}
		done += static_cast<size_t>(n);
	}
}

} // namespace

void WriteFileAtomically(const std::string &path, const std::string &data, unsigned mode) {
	size_t slash = path.rfind('/');
	std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));

	// A random name in the same directory: rename(2) is atomic only within one file system,
	// and O_EXCL means we never write through a file or link somebody else put there.
	std::string tmp_path;
	int fd = -1;
	for (int attempt = 0; attempt < 8 && fd < 0; attempt++) {
		unsigned char rnd[6];
		if (RAND_bytes(rnd, sizeof rnd) != 1)
			throw std::runtime_error("could not write \"" + path + "\": random generator failed");
		char suffix[16];
		snprintf(suffix, sizeof suffix, "%02x%02x%02x%02x%02x%02x", rnd[0], rnd[1], rnd[2], rnd[3], rnd[4],
		         rnd[5]);
		tmp_path = path + ".tmp." + suffix;
		fd = ::open(tmp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, static_cast<mode_t>(mode));
		if (fd < 0 && errno != EEXIST)
			FailFile("create", tmp_path, errno);
	}
	if (fd < 0)
		FailFile("create", tmp_path, EEXIST);

	try {
		// The umask may have removed bits the caller asked for; set the exact mode.
		if (::fchmod(fd, static_cast<mode_t>(mode)) != 0)
			FailFile("set the mode of", tmp_path, errno);
		WriteAll(fd, data, tmp_path);
		if (::fsync(fd) != 0)
			FailFile("fsync", tmp_path, errno);
		int fd_to_close = fd;
		fd = -1;
		if (::close(fd_to_close) != 0)
			FailFile("close", tmp_path, errno);
		if (::rename(tmp_path.c_str(), path.c_str()) != 0)
			FailFile("rename \"" + tmp_path + "\" to", path, errno);
	} catch (...) {
		if (fd >= 0)
			::close(fd);
		::unlink(tmp_path.c_str());
		throw;
	}

	// The rename is durable only once the directory entry is.
	int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir_fd < 0)
		FailFile("open directory", dir, errno);
	int rc = ::fsync(dir_fd);
	int err = errno;
	::close(dir_fd);
	if (rc != 0)
		FailFile("fsync directory", dir, err);
}

} // namespace pgwatch_rpc::tls
