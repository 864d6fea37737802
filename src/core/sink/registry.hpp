// The registry of sink kinds for validation (linked into the extension and the binary) and
// of their factories (binary only: src/core/delivery/sink_factory.hpp). Adding a kind means
// adding one line to each list (src/core/sink/registry.cpp, src/core/delivery/sink_factory.cpp).
#pragma once
#include "core/core_only.hpp"
#include "core/sink/sink_kind.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace pgwatch_rpc::sink {

// FindKind returns nullptr for an unknown name.
const SinkKind *FindKind(std::string_view name);

// KindNames lists the known kinds, sorted, for "unknown sink kind "x"; known kinds: …".
std::vector<std::string> KindNames();

// ValidateSinkConfig parses config and secrets (JSON text), checks both are objects, runs
// the engine's validator and the kind's, and returns every problem found. An unknown kind
// is one problem with key "kind" listing the known kinds.
std::vector<ConfigProblem> ValidateSinkConfig(std::string_view kind, std::string_view config_json,
                                              std::string_view secrets_json);

// FormatProblems: "config.hosts[1]: must be an http:// or https:// URL; config.index: …".
std::string FormatProblems(const std::vector<ConfigProblem> &problems);

} // namespace pgwatch_rpc::sink
