// The server TLS context in real handshakes over an in-memory BIO pair: an OpenSSL client
// that trusts only our self-signed certificate, checking host names and IPs, ALPN
// selection and refusal, protocol versions, TLS 1.2 ciphers, client certificates, and the
// error texts an operator sees for broken files.
#include "core/tls/self_signed.hpp"
#include "core/tls/server_context.hpp"

#include <gtest/gtest.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <functional>

namespace pgwatch_rpc::tls {
namespace {

struct SslFree {
	void operator()(SSL *ssl) const { SSL_free(ssl); }
};
using SslPtr = std::unique_ptr<SSL, SslFree>;

struct ClientOptions {
	std::string alpn = std::string("\x02h2", 3); // wire format; empty = offer none
	std::string host = "localhost";
	bool host_is_ip = false;
	int max_version = 0;
	std::string tls12_ciphers;
	std::string cert_file;
	std::string key_file;
};

struct Outcome {
	bool ok = false;
	bool server_h2 = false;
	std::string client_alpn;
	long verify_result = -1;
	int version = 0;
	std::string cipher;
	unsigned long client_error = 0; // first OpenSSL error seen by the client
	unsigned long server_error = 0;
};

class TlsServerContext : public ::testing::Test {
protected:
	static void SetUpTestSuite() {
		char pattern[] = "/tmp/pgwatch_rpc_tls_ctx.XXXXXX";
		ASSERT_NE(mkdtemp(pattern), nullptr);
		dir_ = new std::string(pattern);
		PemPair pair = CreateSelfSigned("pgwatch_rpc", {"localhost", "127.0.0.1", "::1"});
		WriteFileAtomically(Path("cert.pem"), pair.certificate_pem, 0600);
		WriteFileAtomically(Path("key.pem"), pair.private_key_pem, 0600);
		PemPair other = CreateSelfSigned("other", {"localhost"});
		WriteFileAtomically(Path("other_key.pem"), other.private_key_pem, 0600);
		WriteFileAtomically(Path("garbage.pem"), "not a PEM file\n", 0600);
	}
	static void TearDownTestSuite() {
		DIR *d = opendir(dir_->c_str());
		for (dirent *e = d ? readdir(d) : nullptr; e != nullptr; e = readdir(d)) {
			std::string name = e->d_name;
			if (name != "." && name != "..")
				unlink(Path(name).c_str());
		}
		if (d)
			closedir(d);
		rmdir(dir_->c_str());
		delete dir_;
		dir_ = nullptr;
	}
	static std::string Path(const std::string &name) { return *dir_ + "/" + name; }

	// Handshake runs client and server over a BIO pair until both finish or one fails; the
	// loop is bounded because each successful step moves at least one flight.
	Outcome Handshake(SSL_CTX *server_ctx, const ClientOptions &options) {
		Outcome outcome;
		SSL_CTX *client_ctx = SSL_CTX_new(TLS_client_method());
		EXPECT_EQ(SSL_CTX_load_verify_locations(client_ctx, Path("cert.pem").c_str(), nullptr), 1);
		SSL_CTX_set_verify(client_ctx, SSL_VERIFY_PEER, nullptr);
		if (options.max_version != 0) {
			SSL_CTX_set_min_proto_version(client_ctx, TLS1_VERSION);
			SSL_CTX_set_max_proto_version(client_ctx, options.max_version);
			// Let the client offer old protocols at all, so the refusal is the server's.
			SSL_CTX_set_security_level(client_ctx, 0);
		}
		if (!options.tls12_ciphers.empty()) {
			EXPECT_EQ(SSL_CTX_set_cipher_list(client_ctx, options.tls12_ciphers.c_str()), 1);
		}
		if (!options.cert_file.empty()) {
			EXPECT_EQ(SSL_CTX_use_certificate_file(client_ctx, options.cert_file.c_str(), SSL_FILETYPE_PEM),
			          1);
			EXPECT_EQ(SSL_CTX_use_PrivateKey_file(client_ctx, options.key_file.c_str(), SSL_FILETYPE_PEM), 1);
		}
		SslPtr client(SSL_new(client_ctx));
		SslPtr server(SSL_new(server_ctx));
		SSL_CTX_free(client_ctx);
		if (!options.alpn.empty()) {
			EXPECT_EQ(SSL_set_alpn_protos(client.get(),
			                              reinterpret_cast<const unsigned char *>(options.alpn.data()),
			                              static_cast<unsigned>(options.alpn.size())),
			          0);
		}
		if (options.host_is_ip)
			X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(client.get()), options.host.c_str());
		else
			SSL_set1_host(client.get(), options.host.c_str());

		BIO *client_bio = nullptr;
		BIO *server_bio = nullptr;
		BIO_new_bio_pair(&client_bio, 0, &server_bio, 0);
		SSL_set_bio(client.get(), client_bio, client_bio);
		SSL_set_bio(server.get(), server_bio, server_bio);
		SSL_set_connect_state(client.get());
		SSL_set_accept_state(server.get());

		bool client_done = false, server_done = false, failed = false;
		for (int round = 0; round < 50 && !(client_done && server_done) && !failed; round++) {
			if (!client_done) {
				ERR_clear_error();
				int rc = SSL_do_handshake(client.get());
				if (rc == 1)
					client_done = true;
				else if (SSL_get_error(client.get(), rc) != SSL_ERROR_WANT_READ) {
					outcome.client_error = ERR_peek_error();
					failed = true;
				}
			}
			if (!server_done) {
				ERR_clear_error();
				int rc = SSL_do_handshake(server.get());
				if (rc == 1)
					server_done = true;
				else if (SSL_get_error(server.get(), rc) != SSL_ERROR_WANT_READ) {
					outcome.server_error = ERR_peek_error();
					failed = true;
				}
			}
		}
		// Let the side that did not fail first read the alert, for the error checks.
		if (failed && outcome.client_error == 0) {
			ERR_clear_error();
			SSL_do_handshake(client.get());
			outcome.client_error = ERR_peek_error();
		}
		ERR_clear_error();
		outcome.ok = client_done && server_done && !failed;
		outcome.server_h2 = AlpnIsH2(server.get());
		const unsigned char *proto = nullptr;
		unsigned len = 0;
		SSL_get0_alpn_selected(client.get(), &proto, &len);
		outcome.client_alpn.assign(reinterpret_cast<const char *>(proto), proto ? len : 0);
		outcome.verify_result = SSL_get_verify_result(client.get());
		outcome.version = SSL_version(server.get());
		if (outcome.ok)
			outcome.cipher = SSL_get_cipher_name(server.get());
		return outcome;
	}

	SslCtxPtr ServerContext(const std::string &ca = "") {
		return CreateServerContext(Path("cert.pem"), Path("key.pem"), ca);
	}

	static std::string *dir_;
};

std::string *TlsServerContext::dir_ = nullptr;

std::string ErrorOf(const std::function<void()> &fn) {
	try {
		fn();
	} catch (const std::runtime_error &e) {
		return e.what();
	}
	return "(no exception)";
}

TEST_F(TlsServerContext, H2OfferedIsSelectedAndHostVerified) {
	SslCtxPtr ctx = ServerContext();
	Outcome outcome = Handshake(ctx.get(), {});
	EXPECT_TRUE(outcome.ok);
	EXPECT_TRUE(outcome.server_h2);
	EXPECT_EQ(outcome.client_alpn, "h2");
	EXPECT_EQ(outcome.verify_result, X509_V_OK);
	EXPECT_EQ(outcome.version, TLS1_3_VERSION);
}

TEST_F(TlsServerContext, IpAddressesVerify) {
	SslCtxPtr ctx = ServerContext();
	ClientOptions v4;
	v4.host = "127.0.0.1";
	v4.host_is_ip = true;
	EXPECT_TRUE(Handshake(ctx.get(), v4).ok);
	ClientOptions v6 = v4;
	v6.host = "::1";
	EXPECT_TRUE(Handshake(ctx.get(), v6).ok);
	ClientOptions wrong = v4;
	wrong.host = "10.1.2.3";
	Outcome outcome = Handshake(ctx.get(), wrong);
	EXPECT_FALSE(outcome.ok);
	EXPECT_EQ(outcome.verify_result, X509_V_ERR_IP_ADDRESS_MISMATCH);
}

TEST_F(TlsServerContext, WrongHostNameFailsVerification) {
	SslCtxPtr ctx = ServerContext();
	ClientOptions options;
	options.host = "db.example.com";
	Outcome outcome = Handshake(ctx.get(), options);
	EXPECT_FALSE(outcome.ok);
	EXPECT_EQ(outcome.verify_result, X509_V_ERR_HOSTNAME_MISMATCH);
}

TEST_F(TlsServerContext, H2AmongOthersIsPicked) {
	SslCtxPtr ctx = ServerContext();
	ClientOptions options;
	options.alpn = std::string("\x08http/1.1\x02h2", 12);
	Outcome outcome = Handshake(ctx.get(), options);
	EXPECT_TRUE(outcome.ok);
	EXPECT_TRUE(outcome.server_h2);
	EXPECT_EQ(outcome.client_alpn, "h2");
}

TEST_F(TlsServerContext, WithoutH2TheHandshakeFails) {
	SslCtxPtr ctx = ServerContext();
	ClientOptions options;
	options.alpn = std::string("\x08http/1.1", 9);
	Outcome outcome = Handshake(ctx.get(), options);
	EXPECT_FALSE(outcome.ok);
	EXPECT_FALSE(outcome.server_h2);
	EXPECT_EQ(ERR_GET_REASON(outcome.client_error), SSL_R_TLSV1_ALERT_NO_APPLICATION_PROTOCOL)
	    << ERR_reason_error_string(outcome.client_error);

	options.alpn = std::string("\x03h2c\x02h3", 7);
	EXPECT_FALSE(Handshake(ctx.get(), options).ok);
}

TEST_F(TlsServerContext, NoAlpnCompletesButIsNotH2) {
	// Without the extension the callback never runs; the listener must check AlpnIsH2.
	SslCtxPtr ctx = ServerContext();
	ClientOptions options;
	options.alpn.clear();
	Outcome outcome = Handshake(ctx.get(), options);
	EXPECT_TRUE(outcome.ok);
	EXPECT_FALSE(outcome.server_h2);
}

TEST_F(TlsServerContext, OldProtocolsAreRefused) {
	SslCtxPtr ctx = ServerContext();
	for (int version : {TLS1_VERSION, TLS1_1_VERSION}) {
		ClientOptions options;
		options.max_version = version;
		Outcome outcome = Handshake(ctx.get(), options);
		EXPECT_FALSE(outcome.ok) << version;
		EXPECT_EQ(ERR_GET_REASON(outcome.server_error), SSL_R_UNSUPPORTED_PROTOCOL)
		    << ERR_reason_error_string(outcome.server_error);
	}
}

TEST_F(TlsServerContext, Tls12UsesEcdheAead) {
	SslCtxPtr ctx = ServerContext();
	ClientOptions options;
	options.max_version = TLS1_2_VERSION;
	Outcome outcome = Handshake(ctx.get(), options);
	ASSERT_TRUE(outcome.ok);
	EXPECT_EQ(outcome.version, TLS1_2_VERSION);
	EXPECT_TRUE(outcome.server_h2);
	EXPECT_EQ(outcome.cipher.rfind("ECDHE-ECDSA-", 0), 0u) << outcome.cipher;
	EXPECT_TRUE(outcome.cipher.find("GCM") != std::string::npos ||
	            outcome.cipher.find("CHACHA20") != std::string::npos)
	    << outcome.cipher;

	options.tls12_ciphers = "ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA384";
	EXPECT_FALSE(Handshake(ctx.get(), options).ok);
}

TEST_F(TlsServerContext, OptionsAndModes) {
	SslCtxPtr ctx = ServerContext();
	uint64_t options = SSL_CTX_get_options(ctx.get());
	EXPECT_TRUE(options & SSL_OP_NO_RENEGOTIATION);
	EXPECT_TRUE(options & SSL_OP_NO_COMPRESSION);
	EXPECT_TRUE(options & SSL_OP_CIPHER_SERVER_PREFERENCE);
	long mode = SSL_CTX_get_mode(ctx.get());
	EXPECT_TRUE(mode & SSL_MODE_ENABLE_PARTIAL_WRITE);
	EXPECT_TRUE(mode & SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	EXPECT_TRUE(mode & SSL_MODE_RELEASE_BUFFERS);
	EXPECT_EQ(SSL_CTX_get_min_proto_version(ctx.get()), TLS1_2_VERSION);
	EXPECT_EQ(SSL_CTX_get_verify_mode(ctx.get()), SSL_VERIFY_NONE);
}

TEST_F(TlsServerContext, ClientCertificatesWhenCaConfigured) {
	// A client certificate needs the clientAuth purpose; the openssl tool makes one.
	std::string command = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 "
	                      "-subj /CN=pgwatch -addext extendedKeyUsage=clientAuth -keyout " +
	                      Path("client_key.pem") + " -out " + Path("client_cert.pem") + " >/dev/null 2>&1";
	ASSERT_EQ(std::system(command.c_str()), 0);
	SslCtxPtr ctx = ServerContext(Path("client_cert.pem"));
	EXPECT_EQ(SSL_CTX_get_verify_mode(ctx.get()), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT);
	EXPECT_EQ(sk_X509_NAME_num(SSL_CTX_get_client_CA_list(ctx.get())), 1);

	Outcome without = Handshake(ctx.get(), {});
	EXPECT_FALSE(without.ok);
	EXPECT_EQ(ERR_GET_REASON(without.server_error), SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE)
	    << ERR_reason_error_string(without.server_error);

	ClientOptions with;
	with.cert_file = Path("client_cert.pem");
	with.key_file = Path("client_key.pem");
	Outcome outcome = Handshake(ctx.get(), with);
	EXPECT_TRUE(outcome.ok);
	EXPECT_TRUE(outcome.server_h2);

	// A certificate from another issuer is refused.
	ClientOptions stranger;
	stranger.cert_file = Path("cert.pem");
	stranger.key_file = Path("key.pem");
	EXPECT_FALSE(Handshake(ctx.get(), stranger).ok);
}

TEST_F(TlsServerContext, ErrorsNameTheFileAndTheReason) {
	EXPECT_EQ(ErrorOf([] { CreateServerContext("/nonexistent/cert.pem", Path("key.pem"), ""); }),
	          "could not load certificate file \"/nonexistent/cert.pem\": No such file or directory");
	EXPECT_EQ(ErrorOf([] { CreateServerContext(Path("garbage.pem"), Path("key.pem"), ""); }),
	          "could not load certificate file \"" + Path("garbage.pem") + "\": no start line");
	EXPECT_EQ(ErrorOf([] { CreateServerContext(*dir_, Path("key.pem"), ""); }),
	          "could not load certificate file \"" + *dir_ + "\": not a regular file");
	EXPECT_EQ(ErrorOf([] { CreateServerContext(Path("cert.pem"), Path("missing.pem"), ""); }),
	          "could not load private key file \"" + Path("missing.pem") + "\": No such file or directory");
	EXPECT_EQ(ErrorOf([] { CreateServerContext(Path("cert.pem"), Path("garbage.pem"), ""); }),
	          "could not load private key file \"" + Path("garbage.pem") + "\": unsupported");
	EXPECT_EQ(ErrorOf([] { CreateServerContext(Path("cert.pem"), Path("other_key.pem"), ""); }),
	          "private key file \"" + Path("other_key.pem") + "\" does not match certificate file \"" +
	              Path("cert.pem") + "\": key values mismatch");
	EXPECT_EQ(ErrorOf([] { CreateServerContext(Path("cert.pem"), Path("key.pem"), Path("garbage.pem")); }),
	          "could not load client CA file \"" + Path("garbage.pem") + "\": no certificate or crl found");
	EXPECT_EQ(ErrorOf([] { CreateServerContext(Path("cert.pem"), Path("key.pem"), "/nonexistent/ca.pem"); }),
	          "could not load client CA file \"/nonexistent/ca.pem\": No such file or directory");
	EXPECT_EQ(ERR_peek_error(), 0u); // nothing left behind for the next SSL call
}

TEST_F(TlsServerContext, ErrorsAreAsPermissionsAllow) {
	if (geteuid() == 0)
		GTEST_SKIP() << "root reads any file";
	WriteFileAtomically(Path("unreadable.pem"), "x", 0000);
	EXPECT_EQ(ErrorOf([] { CreateServerContext(Path("unreadable.pem"), Path("key.pem"), ""); }),
	          "could not load certificate file \"" + Path("unreadable.pem") + "\": Permission denied");
}

} // namespace
} // namespace pgwatch_rpc::tls
