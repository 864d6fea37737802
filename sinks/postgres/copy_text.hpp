// COPY … FROM STDIN text format for the postgres sink: one line per metric row, columns
// (time, dbname, data, tag_data). Pure string building, unit-tested without a server.
#pragma once
#include "core/core_only.hpp"
#include "sinks/postgres/row_mapping.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace pgwatch_rpc::sinks {

// FormatTimestampUs: unix microseconds as a timestamptz literal in UTC,
// "2026-11-23 19:42:20.123456+00" (the fraction only when non-zero).
std::string FormatTimestampUs(int64_t us);

// AppendCopyField appends text escaped for COPY's text format: backslash, newline, carriage
// return and tab become \\, \n, \r, \t (other bytes are taken literally by COPY).
void AppendCopyField(std::string_view text, std::string *out);

// AppendCopyLine appends "time\tdbname\tdata\ttag_data\n".
void AppendCopyLine(std::string_view dbname, const MetricRow &row, std::string *out);

// QuoteIdent: a double-quoted SQL identifier ("a""b"), as PostgreSQL's quote_ident always.
std::string QuoteIdent(std::string_view name);

} // namespace pgwatch_rpc::sinks
