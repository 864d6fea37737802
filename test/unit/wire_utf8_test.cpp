// UTF-8 validation and repair, and the quoting of untrusted text in messages.
#include "core/wire/message_text.hpp"
#include "core/wire/utf8.hpp"

#include <gtest/gtest.h>

#include <string>

namespace wire = pgwatch_rpc::wire;

namespace {

wire::TextCheck Check(const std::string &s, size_t *bad = nullptr) {
	size_t offset = 0;
	wire::TextCheck r = wire::CheckText(reinterpret_cast<const uint8_t *>(s.data()), s.size(), &offset);
	if (bad != nullptr)
		*bad = offset;
	return r;
}

} // namespace

TEST(WireUtf8, AcceptsValidText) {
	for (const char *ok :
	     {"", "plain ascii longer than eight bytes", "caf\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80",
	      "\xF4\x8F\xBF\xBF", "\xED\x9F\xBF", "\xEE\x80\x80", "\x7f\x01"})
		EXPECT_EQ(Check(ok), wire::TextCheck::kOk) << ok;
}

TEST(WireUtf8, RefusesInvalidAndNul) {
	size_t bad = 0;
	EXPECT_EQ(Check(std::string("12345678\0", 9), &bad), wire::TextCheck::kNul);
	EXPECT_EQ(bad, 8u);
	EXPECT_EQ(Check(std::string("\0", 1), &bad), wire::TextCheck::kNul);
	EXPECT_EQ(bad, 0u);
	struct Case {
		const char *text;
		size_t offset;
	} cases[] = {
	    {"abcdefgh\x80", 8},     // lone continuation after the 8-byte fast path
	    {"\xC0\x80", 0},         // overlong NUL
	    {"\xC1\xBF", 0},         // overlong
	    {"\xE0\x9F\xBF", 0},     // overlong 3-byte
	    {"\xED\xA0\x80", 0},     // surrogate
	    {"\xF0\x8F\xBF\xBF", 0}, // overlong 4-byte
	    {"\xF4\x90\x80\x80", 0}, // above U+10FFFF
	    {"\xF5\x80\x80\x80", 0}, // invalid lead
	    {"ab\xE2\x82", 2},       // truncated
	    {"\xC3\x28", 0},         // bad continuation
	    {"\xFF", 0},
	};
	for (const Case &c : cases) {
		EXPECT_EQ(Check(c.text, &bad), wire::TextCheck::kInvalidUtf8) << c.text;
		EXPECT_EQ(bad, c.offset) << c.text;
	}
}

TEST(WireUtf8, SanitizeReplacesInvalidBytes) {
	std::string out;
	wire::AppendUtf8Sanitized("ok \xFF caf\xC3\xA9 \xED\xA0\x80", &out);
	EXPECT_EQ(out, "ok \xEF\xBF\xBD caf\xC3\xA9 \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
	EXPECT_EQ(Check(out), wire::TextCheck::kOk);
}

TEST(WireUtf8, PrefixLengthNeverSplitsACharacter) {
	std::string s = "a\xE2\x82\xAC"
	                "b";
	EXPECT_EQ(wire::Utf8PrefixLength(s, 10), s.size());
	EXPECT_EQ(wire::Utf8PrefixLength(s, 1), 1u);
	EXPECT_EQ(wire::Utf8PrefixLength(s, 2), 1u);
	EXPECT_EQ(wire::Utf8PrefixLength(s, 3), 1u);
	EXPECT_EQ(wire::Utf8PrefixLength(s, 4), 4u);
}

TEST(WireMessageText, QuotesEscapesAndTruncates) {
	EXPECT_EQ(wire::Quoted("a'b"), "\"a'b\"");
	EXPECT_EQ(wire::Quoted("q\"\\"), R"("q\"\\")");
	EXPECT_EQ(wire::Quoted(std::string("n\0\n\t\r\x7f", 6)), R"("n\x00\n\t\r\x7f")");
	EXPECT_EQ(wire::Quoted("\xC2\x85 \xC3\xA9 \xFF"), "\"\\xc2\\x85 \xC3\xA9 \\xff\"");
	std::string long_name(10000, 'x');
	std::string q = wire::Quoted(long_name);
	EXPECT_EQ(q, "\"" + std::string(64, 'x') + "\"... (10000 bytes)");
	EXPECT_EQ(wire::Quoted("abcdef", 3), "\"abc\"... (6 bytes)");
}
