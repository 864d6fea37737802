// JSON text primitives for PayloadToJson: strings and numbers exactly as jsonb_in and any
// RFC 8259 parser read them back. No allocation beyond growing *out.
#pragma once
#include "core/core_only.hpp"

#include <string>
#include <string_view>

namespace pgwatch_rpc::wire {

// AppendJsonString appends "text" with ", \ and all control characters escaped (\n, \t,
// \u0001 …). text must be valid UTF-8 (the scanner checked it); it is copied as is.
void AppendJsonString(std::string_view text, std::string *out);

// AppendJsonNumber appends a double as protojson renders it: "NaN", "Infinity" and
// "-Infinity" as strings; integral values below 2^53 in magnitude as plain integers
// (epoch_ns-sized values keep their digits exact); everything else in the shortest form
// that parses back to the same double.
void AppendJsonNumber(double value, std::string *out);

} // namespace pgwatch_rpc::wire
