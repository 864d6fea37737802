// Unit parsing and formatting for sizes, times and booleans in the settings file.
#include "core/config/value_units.hpp"

#include <gtest/gtest.h>

namespace pgwatch_rpc::config {
namespace {

TEST(ConfigValueUnits, Sizes) {
	int64_t v = 0;
	EXPECT_TRUE(ParseSize("1024", &v));
	EXPECT_EQ(v, 1024);
	EXPECT_TRUE(ParseSize("64MB", &v));
	EXPECT_EQ(v, 64 << 20);
	EXPECT_TRUE(ParseSize(" 64 MB ", &v));
	EXPECT_EQ(v, 64 << 20);
	EXPECT_TRUE(ParseSize("1kB", &v));
	EXPECT_EQ(v, 1024);
	EXPECT_TRUE(ParseSize("3B", &v));
	EXPECT_EQ(v, 3);
	EXPECT_TRUE(ParseSize("2GB", &v));
	EXPECT_EQ(v, int64_t{2} << 30);
	EXPECT_TRUE(ParseSize("5TB", &v));
	EXPECT_EQ(v, int64_t{5} << 40);
	EXPECT_TRUE(ParseSize("0", &v));
	EXPECT_EQ(v, 0);
}

TEST(ConfigValueUnits, BadSizes) {
	int64_t v = 0;
	for (const char *bad : {"", "MB", "1KB", "1mb", "1 kb", "-1", "1.5MB", "1MiB", "0x10", "1 MB x",
	                        "9223372036854775808", "8388608TB"})
		EXPECT_FALSE(ParseSize(bad, &v)) << bad;
}

TEST(ConfigValueUnits, Durations) {
	int64_t v = 0;
	EXPECT_TRUE(ParseDuration("250", 1000, &v));
	EXPECT_EQ(v, 250);
	EXPECT_TRUE(ParseDuration("10s", 1000, &v));
	EXPECT_EQ(v, 10000);
	EXPECT_TRUE(ParseDuration("2min", 1000, &v));
	EXPECT_EQ(v, 120000);
	EXPECT_TRUE(ParseDuration("1h", 1000, &v));
	EXPECT_EQ(v, 3600000);
	EXPECT_TRUE(ParseDuration("1d", 1000, &v));
	EXPECT_EQ(v, 86400000);
	EXPECT_TRUE(ParseDuration("3000us", 1000, &v));
	EXPECT_EQ(v, 3);
	EXPECT_TRUE(ParseDuration("5 ms", 1, &v));
	EXPECT_EQ(v, 5000);
	EXPECT_TRUE(ParseDuration("7", 1, &v));
	EXPECT_EQ(v, 7);
}

TEST(ConfigValueUnits, BadDurations) {
	int64_t v = 0;
	for (const char *bad : {"", "s", "10 sec", "1500us", "1.5s", "-5ms", "10S", "5m", "99999999999999999d"})
		EXPECT_FALSE(ParseDuration(bad, 1000, &v)) << bad;
}

TEST(ConfigValueUnits, Bools) {
	bool b = false;
	for (const char *yes : {"on", "ON", "true", "True", "yes", "1", " on "}) {
		b = false;
		EXPECT_TRUE(ParseBool(yes, &b)) << yes;
		EXPECT_TRUE(b) << yes;
	}
	for (const char *no : {"off", "OFF", "false", "no", "0"}) {
		b = true;
		EXPECT_TRUE(ParseBool(no, &b)) << no;
		EXPECT_FALSE(b) << no;
	}
	for (const char *bad : {"", "maybe", "2", "onn", "of"})
		EXPECT_FALSE(ParseBool(bad, &b)) << bad;
}

TEST(ConfigValueUnits, FormatPicksLargestExactUnit) {
	EXPECT_EQ(FormatSize(0), "0");
	EXPECT_EQ(FormatSize(1), "1B");
	EXPECT_EQ(FormatSize(1024), "1kB");
	EXPECT_EQ(FormatSize(1536), "1536B");
	EXPECT_EQ(FormatSize(64 << 20), "64MB");
	EXPECT_EQ(FormatSize(int64_t{10} << 30), "10GB");
	EXPECT_EQ(FormatSize(int64_t{1} << 40), "1TB");
	EXPECT_EQ(FormatDuration(0, 1000), "0");
	EXPECT_EQ(FormatDuration(10000, 1000), "10s");
	EXPECT_EQ(FormatDuration(600000, 1000), "10min");
	EXPECT_EQ(FormatDuration(1500, 1000), "1500ms");
	EXPECT_EQ(FormatDuration(86400000, 1000), "1d");
	EXPECT_EQ(FormatDuration(250, 1), "250us");
	EXPECT_EQ(FormatDuration(2000, 1), "2ms");
}

TEST(ConfigValueUnits, FormatRoundTrips) {
	for (int64_t v : {int64_t{1}, int64_t{1023}, int64_t{1025}, int64_t{3} << 20, int64_t{7} << 40}) {
		int64_t back = -1;
		EXPECT_TRUE(ParseSize(FormatSize(v), &back));
		EXPECT_EQ(back, v);
	}
	for (int64_t v : {int64_t{1}, int64_t{999}, int64_t{60000}, int64_t{3600000}, int64_t{90061001}}) {
		int64_t back = -1;
		EXPECT_TRUE(ParseDuration(FormatDuration(v, 1000), 1000, &back));
		EXPECT_EQ(back, v);
	}
}

} // namespace
} // namespace pgwatch_rpc::config
