// CreateSelfSigned: key type, validity, extensions and SANs as Go and grpc++ need them;
// verification of the certificate as its own CA (in-process and with `openssl verify`);
// WriteFileAtomically's result, mode and failure modes.
#include "core/tls/self_signed.hpp"

#include <gtest/gtest.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace pgwatch_rpc::tls {
namespace {

struct X509Free {
	void operator()(X509 *x) const { X509_free(x); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

X509Ptr ParsePem(const std::string &pem) {
	BIO *bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
	X509 *cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
	BIO_free(bio);
	return X509Ptr(cert);
}

// VerifyAgainstItself runs OpenSSL's chain verification with the certificate as the only
// trust anchor, checking host (or IP when ip is true) as a TLS client would.
int VerifyAgainstItself(X509 *cert, const std::string &name, bool ip) {
	X509_STORE *store = X509_STORE_new();
	X509_STORE_add_cert(store, cert);
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	X509_STORE_CTX_init(ctx, store, cert, nullptr);
	X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER);
	X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(ctx);
	if (ip)
		X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str());
	else
		X509_VERIFY_PARAM_set1_host(param, name.c_str(), 0);
	int ok = X509_verify_cert(ctx);
	int err = ok == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return err;
}

std::vector<std::string> SanStrings(X509 *cert) {
	std::vector<std::string> out;
	auto *names =
	    static_cast<GENERAL_NAMES *>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
	for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names); i++) {
		GENERAL_NAME *name = sk_GENERAL_NAME_value(names, i);
		int type = 0;
		auto *value = static_cast<ASN1_STRING *>(GENERAL_NAME_get0_value(name, &type));
		const unsigned char *data = ASN1_STRING_get0_data(value);
		int len = ASN1_STRING_length(value);
		if (type == GEN_DNS) {
			out.push_back("DNS:" + std::string(reinterpret_cast<const char *>(data), len));
		} else if (type == GEN_IPADD) {
			char text[INET6_ADDRSTRLEN];
			inet_ntop(len == 4 ? AF_INET : AF_INET6, data, text, sizeof text);
			out.push_back(std::string("IP:") + text);
		}
	}
	GENERAL_NAMES_free(names);
	return out;
}

class TlsSelfSignedFiles : public ::testing::Test {
protected:
	void SetUp() override {
		char pattern[] = "/tmp/pgwatch_rpc_tls_test.XXXXXX";
		ASSERT_NE(mkdtemp(pattern), nullptr);
		dir_ = pattern;
	}
	void TearDown() override {
		DIR *d = opendir(dir_.c_str());
		for (dirent *e = d ? readdir(d) : nullptr; e != nullptr; e = readdir(d)) {
			std::string name = e->d_name;
			if (name != "." && name != "..")
				remove((dir_ + "/" + name).c_str()); // files and the empty directory one test makes
		}
		if (d)
			closedir(d);
		rmdir(dir_.c_str());
	}
	std::vector<std::string> Files() {
		std::vector<std::string> names;
		DIR *d = opendir(dir_.c_str());
		for (dirent *e = d ? readdir(d) : nullptr; e != nullptr; e = readdir(d)) {
			std::string name = e->d_name;
			if (name != "." && name != "..")
				names.push_back(name);
		}
		if (d)
			closedir(d);
		return names;
	}
	std::string dir_;
};

std::string ReadFile(const std::string &path) {
	std::ifstream in(path, std::ios::binary);
	std::stringstream ss;
	ss << in.rdbuf();
	return ss.str();
}

const std::vector<std::string> kNames = {"localhost", "hub.example.com", "127.0.0.1",
                                         "::1",       "[fe80::1]",       "*.svc.local"};

TEST(TlsSelfSigned, KeyAndValidity) {
	PemPair pair = CreateSelfSigned("pgwatch_rpc", kNames);
	EXPECT_EQ(pair.certificate_pem.rfind("-----BEGIN CERTIFICATE-----", 0), 0u);
	EXPECT_EQ(pair.private_key_pem.rfind("-----BEGIN PRIVATE KEY-----", 0), 0u);
	X509Ptr cert = ParsePem(pair.certificate_pem);
	ASSERT_TRUE(cert);
	EXPECT_EQ(X509_get_version(cert.get()), X509_VERSION_3);

	EVP_PKEY *key = X509_get0_pubkey(cert.get());
	ASSERT_NE(key, nullptr);
	EXPECT_TRUE(EVP_PKEY_is_a(key, "EC"));
	char group[64] = {0};
	size_t group_len = 0;
	ASSERT_EQ(EVP_PKEY_get_group_name(key, group, sizeof group, &group_len), 1);
	EXPECT_STREQ(group, "prime256v1");
	EXPECT_EQ(X509_get_signature_nid(cert.get()), NID_ecdsa_with_SHA256);

	int day = 0, sec = 0;
	ASN1_TIME_diff(&day, &sec, nullptr, X509_get0_notBefore(cert.get()));
	EXPECT_LE(day * 86400 + sec, -3500); // about an hour in the past
	ASN1_TIME_diff(&day, &sec, nullptr, X509_get0_notAfter(cert.get()));
	EXPECT_GE(day, 3650);
	EXPECT_LT(day, 3670);

	// The private key matches the certificate.
	BIO *bio = BIO_new_mem_buf(pair.private_key_pem.data(), static_cast<int>(pair.private_key_pem.size()));
	EVP_PKEY *priv = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
	BIO_free(bio);
	ASSERT_NE(priv, nullptr);
	EXPECT_EQ(X509_check_private_key(cert.get(), priv), 1);
	EVP_PKEY_free(priv);
}

TEST(TlsSelfSigned, Extensions) {
	X509Ptr cert = ParsePem(CreateSelfSigned("pgwatch_rpc", kNames).certificate_pem);
	ASSERT_TRUE(cert);
	EXPECT_EQ(X509_check_ca(cert.get()), 1);
	uint32_t usage = X509_get_key_usage(cert.get());
	EXPECT_TRUE(usage & KU_DIGITAL_SIGNATURE);
	EXPECT_TRUE(usage & KU_KEY_CERT_SIGN);
	EXPECT_EQ(X509_get_extended_key_usage(cert.get()), XKU_SSL_SERVER);
	EXPECT_NE(X509_get0_subject_key_id(cert.get()), nullptr);

	int critical = -1;
	auto *bc = static_cast<BASIC_CONSTRAINTS *>(
	    X509_get_ext_d2i(cert.get(), NID_basic_constraints, &critical, nullptr));
	ASSERT_NE(bc, nullptr);
	EXPECT_TRUE(bc->ca);
	EXPECT_EQ(critical, 1);
	BASIC_CONSTRAINTS_free(bc);

	EXPECT_EQ(SanStrings(cert.get()),
	          (std::vector<std::string>{"DNS:localhost", "DNS:hub.example.com", "IP:127.0.0.1", "IP:::1",
	                                    "IP:fe80::1", "DNS:*.svc.local"}));
	char cn[80] = {0};
	X509_NAME_get_text_by_NID(X509_get_subject_name(cert.get()), NID_commonName, cn, sizeof cn);
	EXPECT_STREQ(cn, "pgwatch_rpc");
	EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(cert.get()), X509_get_issuer_name(cert.get())), 0);
}

TEST(TlsSelfSigned, SerialsAreRandomAndPositive) {
	X509Ptr a = ParsePem(CreateSelfSigned("a", {"localhost"}).certificate_pem);
	X509Ptr b = ParsePem(CreateSelfSigned("a", {"localhost"}).certificate_pem);
	const ASN1_INTEGER *sa = X509_get0_serialNumber(a.get());
	const ASN1_INTEGER *sb = X509_get0_serialNumber(b.get());
	EXPECT_NE(ASN1_INTEGER_cmp(sa, sb), 0);
	BIGNUM *bn = ASN1_INTEGER_to_BN(sa, nullptr);
	EXPECT_FALSE(BN_is_negative(bn));
	EXPECT_GE(BN_num_bits(bn), 120);
	EXPECT_LE(BN_num_bits(bn), 159);
	BN_free(bn);
}

TEST(TlsSelfSigned, DuplicatesAndEmptyEntriesAreSkipped) {
	X509Ptr cert = ParsePem(CreateSelfSigned("x", {"localhost", "", "localhost", "::1"}).certificate_pem);
	EXPECT_EQ(SanStrings(cert.get()), (std::vector<std::string>{"DNS:localhost", "IP:::1"}));
}

TEST(TlsSelfSigned, VerifiesAsItsOwnCa) {
	X509Ptr cert = ParsePem(CreateSelfSigned("pgwatch_rpc", kNames).certificate_pem);
	EXPECT_EQ(VerifyAgainstItself(cert.get(), "localhost", false), X509_V_OK);
	EXPECT_EQ(VerifyAgainstItself(cert.get(), "hub.example.com", false), X509_V_OK);
	EXPECT_EQ(VerifyAgainstItself(cert.get(), "a.svc.local", false), X509_V_OK);
	EXPECT_EQ(VerifyAgainstItself(cert.get(), "127.0.0.1", true), X509_V_OK);
	EXPECT_EQ(VerifyAgainstItself(cert.get(), "::1", true), X509_V_OK);
	EXPECT_EQ(VerifyAgainstItself(cert.get(), "other.example.com", false), X509_V_ERR_HOSTNAME_MISMATCH);
	EXPECT_EQ(VerifyAgainstItself(cert.get(), "10.0.0.1", true), X509_V_ERR_IP_ADDRESS_MISMATCH);
}

TEST(TlsSelfSigned, RejectsBadInput) {
	EXPECT_THROW(CreateSelfSigned("", {"localhost"}), std::runtime_error);
	EXPECT_THROW(CreateSelfSigned(std::string(65, 'a'), {"localhost"}), std::runtime_error);
	try {
		CreateSelfSigned("x", {"bad name"});
		FAIL() << "expected an exception";
	} catch (const std::runtime_error &e) {
		EXPECT_NE(std::string(e.what()).find("\"bad name\" is neither an IP address nor a valid DNS name"),
		          std::string::npos)
		    << e.what();
	}
	EXPECT_THROW(CreateSelfSigned("x", {"h\xc3\xa9llo"}), std::runtime_error);
	EXPECT_THROW(CreateSelfSigned("x", {"*."}), std::runtime_error);
}

TEST_F(TlsSelfSignedFiles, OpensslCommandLineVerifiesIt) {
	PemPair pair = CreateSelfSigned("pgwatch_rpc", kNames);
	std::string path = dir_ + "/cert.pem";
	WriteFileAtomically(path, pair.certificate_pem, 0600);
	std::string command =
	    "openssl verify -purpose sslserver -verify_hostname localhost -CAfile " + path + " " + path + " 2>&1";
	FILE *pipe = popen(command.c_str(), "r");
	ASSERT_NE(pipe, nullptr);
	char buffer[512];
	std::string output;
	while (fgets(buffer, sizeof buffer, pipe) != nullptr)
		output += buffer;
	int status = pclose(pipe);
	EXPECT_EQ(status, 0) << output;
	EXPECT_NE(output.find(": OK"), std::string::npos) << output;
}

TEST_F(TlsSelfSignedFiles, WriteFileAtomicallyWritesWithExactMode) {
	std::string path = dir_ + "/key.pem";
	mode_t old_umask = umask(077);
	WriteFileAtomically(path, "first", 0640);
	umask(old_umask);
	EXPECT_EQ(ReadFile(path), "first");
	struct stat st;
	ASSERT_EQ(stat(path.c_str(), &st), 0);
	EXPECT_EQ(st.st_mode & 07777, 0640u);

	WriteFileAtomically(path, std::string("second\0binary", 13), 0600);
	EXPECT_EQ(ReadFile(path), std::string("second\0binary", 13));
	ASSERT_EQ(stat(path.c_str(), &st), 0);
	EXPECT_EQ(st.st_mode & 07777, 0600u);
	EXPECT_EQ(Files(), std::vector<std::string>{"key.pem"}); // no temporary left behind
}

TEST_F(TlsSelfSignedFiles, WriteFileAtomicallyReportsErrors) {
	try {
		WriteFileAtomically(dir_ + "/missing/key.pem", "x", 0600);
		FAIL() << "expected an exception";
	} catch (const std::runtime_error &e) {
		EXPECT_NE(std::string(e.what()).find("No such file or directory"), std::string::npos) << e.what();
		EXPECT_NE(std::string(e.what()).find(dir_ + "/missing/key.pem.tmp."), std::string::npos) << e.what();
	}
	// Renaming over a directory fails; the temporary file is cleaned up.
	ASSERT_EQ(mkdir((dir_ + "/adir").c_str(), 0700), 0);
	EXPECT_THROW(WriteFileAtomically(dir_ + "/adir", "x", 0600), std::runtime_error);
	EXPECT_EQ(Files(), std::vector<std::string>{"adir"});
}

TEST_F(TlsSelfSignedFiles, WriteFileAtomicallyRelativePath) {
	char cwd[4096];
	ASSERT_NE(getcwd(cwd, sizeof cwd), nullptr);
	ASSERT_EQ(chdir(dir_.c_str()), 0);
	WriteFileAtomically("relative.txt", "data", 0600);
	ASSERT_EQ(chdir(cwd), 0);
	EXPECT_EQ(ReadFile(dir_ + "/relative.txt"), "data");
}

} // namespace
} // namespace pgwatch_rpc::tls
