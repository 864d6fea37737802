// Text forms of measurement values for the JSON documents (SINKS.md §0.1): numbers as JSON
// numbers that keep integers exact, tag values as pgwatch's Go %v prints them, and the
// @timestamp. Pure formatting; no allocation beyond growing *out.
#pragma once
#include "core/core_only.hpp"

#include <cstdint>
#include <string>

namespace pgwatch_rpc::json {

// AppendJsonNumber appends a measurement number as JSON: integral values in int64's range as
// plain integers (pgwatch's int64 columns arrive as doubles; an epoch_ns-sized
// value keeps its digits, and a target that tells integers from floats sees an integer),
// every other finite value in the shortest form that parses back to the same double, and
// NaN/±Infinity, which JSON cannot express, as null: a target indexing the field as a number
// treats null as a missing value, whereas a string such as "NaN" would fail the document.
void AppendJsonNumber(double value, std::string *out);

// AppendGoNumber appends a number as pgwatch stringifies a tag with Go's %v: integral values
// below 1e21 without a decimal point (tags come from integer columns in pgwatch), other
// values in %v's shortest form ("0.5", "1.5e-07", "1.2345675e+06"), "NaN", "+Inf", "-Inf".
// The postgres sink's tag_data uses the same rule except that ±Inf read "Infinity",
// "-Infinity" and -0 reads "0" there (sinks/postgres/row_mapping.hpp).
void AppendGoNumber(double value, std::string *out);

// AppendRfc3339Nanos appends unix_ns as RFC 3339 UTC with nanoseconds, e.g.
// "2026-11-23T19:42:20.000000000Z" (Elasticsearch date_nanos keeps them all, date keeps
// milliseconds). No quotes.
void AppendRfc3339Nanos(int64_t unix_ns, std::string *out);

} // namespace pgwatch_rpc::json
