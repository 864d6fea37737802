// COPY text-format encoding of the postgres sink's rows (see copy_text.hpp).
#include "sinks/postgres/copy_text.hpp"

namespace pgwatch_rpc::sinks {
namespace {

// CivilFromDays: proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's
// algorithm), so no time-zone state or libc locale is involved.
void CivilFromDays(int64_t days, int64_t *year, unsigned *month, unsigned *day) {
	days += 719468;
	int64_t era = (days >= 0 ? days : days - 146096) / 146097;
	unsigned doe = static_cast<unsigned>(days - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*day = doy - (153 * mp + 2) / 5 + 1;
	*month = mp < 10 ? mp + 3 : mp - 9;
	*year = static_cast<int64_t>(yoe) + era * 400 + (*month <= 2);
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// AppendDigits appends value (>= 0) zero-padded to at least width digits.
void AppendDigits(int64_t value, int width, std::string *out) {
	char buf[20];
	int n = 0;
	do {
		buf[n++] = static_cast<char>('0' + value % 10);
		value /= 10;
	} while (value > 0);
	while (n < width)
		buf[n++] = '0';
	while (n > 0)
		out->push_back(buf[--n]);
}

// AppendTimestampUs appends FormatTimestampUs(us): once per COPY line, so without printf.
void AppendTimestampUs(int64_t us, std::string *out) {
	int64_t secs = FloorDiv(us, 1000000);
	int64_t frac = us - secs * 1000000;
	int64_t days = FloorDiv(secs, 86400);
	int64_t sod = secs - days * 86400;
	int64_t year;
	unsigned month, day;
	CivilFromDays(days, &year, &month, &day);
	if (year < 0) { // as printf's %04d would: the sign takes one of the four places
		out->push_back('-');
		AppendDigits(-year, 3, out);
	} else {
		AppendDigits(year, 4, out);
	}
	const int64_t fields[] = {month, day, sod / 3600, sod / 60 % 60, sod % 60};
	const char separators[] = {'-', '-', ' ', ':', ':'};
	for (size_t i = 0; i < 5; i++) {
		out->push_back(separators[i]);
		AppendDigits(fields[i], 2, out);
	}
	if (frac != 0) {
		out->push_back('.');
		AppendDigits(frac, 6, out);
	}
	out->append("+00");
}

} // namespace

std::string FormatTimestampUs(int64_t us) {
	std::string out;
	AppendTimestampUs(us, &out);
	return out;
}

void AppendCopyField(std::string_view text, std::string *out) {
	size_t run = 0;
	for (size_t i = 0; i < text.size(); i++) {
		char esc;
		switch (text[i]) {
		case '\\':
			esc = '\\';
			break;
		case '\n':
			esc = 'n';
			break;
		case '\r':
			esc = 'r';
			break;
		case '\t':
			esc = 't';
			break;
		default:
			continue;
		}
		out->append(text.data() + run, i - run);
		out->push_back('\\');
		out->push_back(esc);
		run = i + 1;
	}
	out->append(text.data() + run, text.size() - run);
}

void AppendCopyLine(std::string_view dbname, const MetricRow &row, std::string *out) {
	AppendTimestampUs(row.time_us, out);
	out->push_back('\t');
	AppendCopyField(dbname, out);
	out->push_back('\t');
	AppendCopyField(row.data, out);
	out->push_back('\t');
	AppendCopyField(row.tag_data, out);
	out->push_back('\n');
}

std::string QuoteIdent(std::string_view name) {
	std::string out = "\"";
	for (char c : name) {
		if (c == '"')
			out.push_back('"');
		out.push_back(c);
	}
	out.push_back('"');
	return out;
}

} // namespace pgwatch_rpc::sinks
