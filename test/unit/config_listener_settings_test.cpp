// The listener's settings file: every key, units, quoting, comments, errors with line
// numbers and the round trip through RenderListenerSettings.
#include "core/config/listener_settings.hpp"

#include <gtest/gtest.h>

namespace pgwatch_rpc::config {
namespace {

std::string ParseError(const std::string &text) {
	ListenerSettings settings;
	std::string error;
	EXPECT_FALSE(ParseListenerSettings(text, &settings, &error)) << text;
	return error;
}

ListenerSettings Parse(const std::string &text) {
	ListenerSettings settings;
	std::string error;
	EXPECT_TRUE(ParseListenerSettings(text, &settings, &error)) << error;
	return settings;
}

TEST(ConfigListenerSettings, EmptyFileKeepsDefaults) {
	ListenerSettings settings = Parse("# nothing here\n\n   \n");
	ListenerSettings defaults;
	EXPECT_EQ(RenderListenerSettings(settings), RenderListenerSettings(defaults));
	EXPECT_EQ(settings.listen_addresses, std::vector<std::string>{"localhost"});
	EXPECT_EQ(settings.port, 5051);
}

TEST(ConfigListenerSettings, EveryKey) {
	ListenerSettings s = Parse(R"(
listen_addresses = 'localhost, 10.0.0.5,::1 , db.example.com'
port = 6000
tls = off
ssl_cert_file = '/etc/ssl/hub cert.pem'   # spaces need quotes
ssl_key_file = '/etc/ssl/hub''s key.pem'
ssl_ca_file = /etc/ssl/ca.pem
ack = fast
max_message_size = 128MB
max_rows = 5000
max_depth = 16
max_string_bytes = 64kB
max_name_bytes = 256
max_fields_per_struct = 500
max_concurrent_streams = 64
max_connections = 1000
handshake_timeout_ms = 5s
idle_timeout_ms = 15min
request_timeout_ms = 45000
batch_max_envelopes = 512
batch_linger_us = 2ms
spool_max_size = 2TB
listener_name = 'edge-1'
log_min_messages = WARNING
)");
	EXPECT_EQ(s.listen_addresses,
	          (std::vector<std::string>{"localhost", "10.0.0.5", "::1", "db.example.com"}));
	EXPECT_EQ(s.port, 6000);
	EXPECT_FALSE(s.tls);
	EXPECT_EQ(s.ssl_cert_file, "/etc/ssl/hub cert.pem");
	EXPECT_EQ(s.ssl_key_file, "/etc/ssl/hub's key.pem");
	EXPECT_EQ(s.ssl_ca_file, "/etc/ssl/ca.pem");
	EXPECT_EQ(s.ack, AckMode::kFast);
	EXPECT_EQ(s.max_message_size, 128u << 20);
	EXPECT_EQ(s.limits.max_rows, 5000u);
	EXPECT_EQ(s.limits.max_depth, 16);
	EXPECT_EQ(s.limits.max_string_bytes, 64u << 10);
	EXPECT_EQ(s.limits.max_name_bytes, 256u);
	EXPECT_EQ(s.limits.max_fields_per_struct, 500u);
	EXPECT_EQ(s.max_concurrent_streams, 64);
	EXPECT_EQ(s.max_connections, 1000);
	EXPECT_EQ(s.handshake_timeout_ms, 5000);
	EXPECT_EQ(s.idle_timeout_ms, 900000);
	EXPECT_EQ(s.request_timeout_ms, 45000);
	EXPECT_EQ(s.batch_max_envelopes, 512);
	EXPECT_EQ(s.batch_linger_us, 2000);
	EXPECT_EQ(s.spool_max_size, int64_t{2} << 40);
	EXPECT_EQ(s.listener_name, "edge-1");
	EXPECT_EQ(s.log_min_messages, "warning");
}

TEST(ConfigListenerSettings, SyntaxVariants) {
	ListenerSettings s =
	    Parse("port 7000\nPORT=7001\n  ack='durable'  # trailing comment\nlisten_addresses = *\n");
	EXPECT_EQ(s.port, 7001); // last one wins, keys are case-insensitive
	EXPECT_EQ(s.ack, AckMode::kDurable);
	EXPECT_EQ(s.listen_addresses, std::vector<std::string>{"*"});
	s = Parse("ssl_cert_file = 'a\\\\b\\'c'\nssl_key_file = 'k'\r\n");
	EXPECT_EQ(s.ssl_cert_file, "a\\b'c");
	EXPECT_EQ(s.ssl_key_file, "k");
	s = Parse("tls = true\nspool_max_size = 0");
	EXPECT_TRUE(s.tls);
	EXPECT_EQ(s.spool_max_size, 0);
}

TEST(ConfigListenerSettings, RangeErrorsNameLineKeyBoundsAndValue) {
	EXPECT_EQ(ParseError("port = 1\n\nmax_message_size = 5TB\n"),
	          "line 3: max_message_size must be between 1kB and 1GB, not \"5TB\"");
	EXPECT_EQ(ParseError("max_message_size = 1000"),
	          "line 1: max_message_size must be between 1kB and 1GB, not \"1000\"");
	EXPECT_EQ(ParseError("port = 0"), "line 1: port must be between 1 and 65535, not \"0\"");
	EXPECT_EQ(ParseError("port = 65536"), "line 1: port must be between 1 and 65535, not \"65536\"");
	EXPECT_EQ(ParseError("max_concurrent_streams = 1001"),
	          "line 1: max_concurrent_streams must be between 1 and 1000, not \"1001\"");
	EXPECT_EQ(ParseError("max_concurrent_streams = 0"),
	          "line 1: max_concurrent_streams must be between 1 and 1000, not \"0\"");
	EXPECT_EQ(ParseError("handshake_timeout_ms = 2h"),
	          "line 1: handshake_timeout_ms must be between 100ms and 10min, not \"2h\"");
	EXPECT_EQ(ParseError("batch_linger_us = 2s"),
	          "line 1: batch_linger_us must be between 0 and 1s, not \"2s\"");
	EXPECT_EQ(ParseError("max_depth = 101"), "line 1: max_depth must be between 1 and 100, not \"101\"");
	EXPECT_EQ(ParseError("max_name_bytes = 1MB"),
	          "line 1: max_name_bytes must be between 1B and 64kB, not \"1MB\"");
	EXPECT_EQ(ParseError("idle_timeout_ms = 10"),
	          "line 1: idle_timeout_ms must be between 1s and 1d, not \"10\"");
	EXPECT_EQ(ParseError("max_rows = 99999999999999999999"),
	          "line 1: max_rows must be a whole number, not \"99999999999999999999\"");
}

TEST(ConfigListenerSettings, ValueErrors) {
	EXPECT_EQ(ParseError("port = eighty"), "line 1: port must be a whole number, not \"eighty\"");
	EXPECT_EQ(ParseError("port = -1"), "line 1: port must be a whole number, not \"-1\"");
	EXPECT_EQ(ParseError("tls = maybe"), "line 1: tls must be on or off, not \"maybe\"");
	EXPECT_EQ(ParseError("ack = sometimes"), "line 1: ack must be durable or fast, not \"sometimes\"");
	EXPECT_EQ(
	    ParseError("max_message_size = 12XB"),
	    "line 1: max_message_size must be a size such as 64MB (units B, kB, MB, GB, TB; 1kB = 1024 bytes), "
	    "not \"12XB\"");
	EXPECT_EQ(
	    ParseError("idle_timeout_ms = 5 weeks"),
	    "line 1: idle_timeout_ms must be a whole number of milliseconds, or a time such as 30s (units ms, s, "
	    "min, h, d), not \"5 weeks\"");
	EXPECT_EQ(ParseError("log_min_messages = verbose"),
	          "line 1: log_min_messages must be debug, info, log, warning or error, not \"verbose\"");
	EXPECT_EQ(ParseError("listener_name = 'a b'"),
	          "line 1: listener_name must be 1 to 63 characters from [A-Za-z0-9_.-], not \"a b\"");
	EXPECT_EQ(ParseError("listener_name = ''"),
	          "line 1: listener_name must be 1 to 63 characters from [A-Za-z0-9_.-], not \"\"");
	EXPECT_NE(ParseError("listen_addresses = 'a,,b'").find("line 1: listen_addresses has an empty entry"),
	          std::string::npos);
	EXPECT_EQ(ParseError("listen_addresses = 'a b'"),
	          "line 1: listen_addresses entry \"a b\" is not a host name or IP address");
	EXPECT_NE(ParseError("listen_addresses = ''").find("empty entry"), std::string::npos);
	EXPECT_NE(ParseError("listen_addresses = '*.example.com'").find("\"*\" stands alone"), std::string::npos);
	EXPECT_EQ(ParseError("ssl_cert_file = 'a\\nb'\nssl_key_file = k"),
	          "line 1: ssl_cert_file must be a file path without control characters");
}

TEST(ConfigListenerSettings, UnknownKeysAndSyntaxErrors) {
	EXPECT_EQ(ParseError("port = 1\nmax_mesage_size = 1MB"), "line 2: unknown setting \"max_mesage_size\"");
	EXPECT_EQ(
	    ParseError("pgwatch_rpc.port = 1"),
	    "line 1: unknown setting \"pgwatch_rpc.port\" (write keys without the \"pgwatch_rpc.\" prefix)");
	EXPECT_EQ(ParseError("limits.max_rows = 1"), "line 1: unknown setting \"limits.max_rows\"");
	EXPECT_EQ(ParseError("port ="), "line 1: missing value for \"port\" (write '' for an empty value)");
	EXPECT_EQ(ParseError("port = # none"),
	          "line 1: missing value for \"port\" (write '' for an empty value)");
	EXPECT_EQ(ParseError("= 5"), "line 1: expected a setting name at the start of the line");
	EXPECT_EQ(ParseError("ssl_cert_file = 'open"), "line 1: unterminated quoted value for \"ssl_cert_file\"");
	EXPECT_EQ(ParseError("ack = 'fast' extra"), "line 1: unexpected text after the quoted value of \"ack\"");
}

TEST(ConfigListenerSettings, CertAndKeyGoTogether) {
	EXPECT_EQ(ParseError("ssl_cert_file = '/c.pem'"),
	          "ssl_cert_file and ssl_key_file must be set together (or both left empty)");
	EXPECT_EQ(Parse("ssl_cert_file = '/c.pem'\nssl_key_file='/k.pem'").ssl_key_file, "/k.pem");
}

TEST(ConfigListenerSettings, ErrorLeavesSettingsUntouched) {
	ListenerSettings settings;
	std::string error;
	EXPECT_FALSE(ParseListenerSettings("port = 7000\nport = nope\n", &settings, &error));
	EXPECT_EQ(settings.port, 5051);
	EXPECT_EQ(error, "line 2: port must be a whole number, not \"nope\"");
}

TEST(ConfigListenerSettings, ParseAppliesOnTopOfGivenValues) {
	ListenerSettings settings;
	settings.port = 9999;
	std::string error;
	ASSERT_TRUE(ParseListenerSettings("ack = fast", &settings, &error)) << error;
	EXPECT_EQ(settings.port, 9999);
	EXPECT_EQ(settings.ack, AckMode::kFast);
}

TEST(ConfigListenerSettings, DefaultsRender) {
	std::string text = RenderListenerSettings(ListenerSettings{});
	EXPECT_NE(text.find("listen_addresses = 'localhost'\n"), std::string::npos) << text;
	EXPECT_NE(text.find("port = 5051\n"), std::string::npos);
	EXPECT_NE(text.find("tls = on\n"), std::string::npos);
	EXPECT_NE(text.find("ssl_cert_file = ''\n"), std::string::npos);
	EXPECT_NE(text.find("ack = durable\n"), std::string::npos);
	EXPECT_NE(text.find("max_message_size = 64MB\n"), std::string::npos);
	EXPECT_NE(text.find("max_string_bytes = 1MB\n"), std::string::npos);
	EXPECT_NE(text.find("max_name_bytes = 128B\n"), std::string::npos);
	EXPECT_NE(text.find("handshake_timeout_ms = 10s\n"), std::string::npos);
	EXPECT_NE(text.find("idle_timeout_ms = 10min\n"), std::string::npos);
	EXPECT_NE(text.find("batch_linger_us = 0\n"), std::string::npos);
	EXPECT_NE(text.find("spool_max_size = 10GB\n"), std::string::npos);
	EXPECT_NE(text.find("log_min_messages = 'log'\n"), std::string::npos);
}

TEST(ConfigListenerSettings, RoundTrip) {
	ListenerSettings original;
	original.listen_addresses = {"*", "::1", "host-a.example.com"};
	original.port = 443;
	original.tls = false;
	original.ssl_cert_file = "/odd path/it's\\here\t.pem";
	original.ssl_key_file = "/k#ey.pem";
	original.ssl_ca_file = "";
	original.ack = AckMode::kFast;
	original.max_message_size = (5u << 20) + 1;
	original.limits.max_rows = 7;
	original.limits.max_depth = 3;
	original.limits.max_string_bytes = 1536;
	original.limits.max_name_bytes = 1024;
	original.limits.max_fields_per_struct = 9;
	original.max_concurrent_streams = 1000;
	original.max_connections = 1;
	original.handshake_timeout_ms = 1500;
	original.idle_timeout_ms = 86400000;
	original.request_timeout_ms = 100;
	original.batch_max_envelopes = 10000;
	original.batch_linger_us = 999;
	original.spool_max_size = 12345;
	original.listener_name = "n.1_x-y";
	original.log_min_messages = "debug";

	std::string text = RenderListenerSettings(original);
	ListenerSettings parsed;
	std::string error;
	ASSERT_TRUE(ParseListenerSettings(text, &parsed, &error)) << error << "\n" << text;
	EXPECT_EQ(RenderListenerSettings(parsed), text);
	EXPECT_EQ(parsed.listen_addresses, original.listen_addresses);
	EXPECT_EQ(parsed.ssl_cert_file, original.ssl_cert_file);
	EXPECT_EQ(parsed.ssl_key_file, original.ssl_key_file);
	EXPECT_EQ(parsed.max_message_size, original.max_message_size);
	EXPECT_EQ(parsed.limits.max_string_bytes, original.limits.max_string_bytes);
	EXPECT_EQ(parsed.handshake_timeout_ms, original.handshake_timeout_ms);
	EXPECT_EQ(parsed.batch_linger_us, original.batch_linger_us);
	EXPECT_EQ(parsed.spool_max_size, original.spool_max_size);
	EXPECT_EQ(parsed.ack, AckMode::kFast);
	EXPECT_FALSE(parsed.tls);
	EXPECT_EQ(parsed.listener_name, original.listener_name);
	EXPECT_EQ(parsed.log_min_messages, "debug");
}

TEST(ConfigListenerSettings, AckModeAndLogLevelNames) {
	EXPECT_EQ(AckModeName(AckMode::kDurable), "durable");
	EXPECT_EQ(AckModeName(AckMode::kFast), "fast");
	log::Level level = log::Level::kLog;
	EXPECT_TRUE(LogLevelFromName("warning", &level));
	EXPECT_EQ(level, log::Level::kWarning);
	EXPECT_TRUE(LogLevelFromName("debug", &level));
	EXPECT_EQ(level, log::Level::kDebug);
	EXPECT_FALSE(LogLevelFromName("notice", &level));
}

} // namespace
} // namespace pgwatch_rpc::config
