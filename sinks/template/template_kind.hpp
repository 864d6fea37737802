// A skeleton to copy for a new sink kind (docs/writing-a-sink.md). It is compiled with the
// rest of the tree, so it keeps up with the interfaces, but registered nowhere: no
// rpc_sink_add('template') exists.
//
// The kind half of a sink: its name, its config keys and its validator. This file is linked
// into the PostgreSQL extension (rpc_sink_add validates there), so it must stay pure: no I/O,
// no network clients, no threads, no global state. Anything that talks to the target belongs
// in template_sink.cpp, which only the pgwatch-rpc binary links.
#pragma once
#include "core/core_only.hpp"
#include "core/http/http_config.hpp"
#include "core/sink/sink_kind.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace pgwatch_rpc::sinks {

// TemplateSettings: every key of the kind, with the defaults a user gets when leaving it out.
// The runtime builds itself from this struct, never from the raw JSON, so what the validator
// accepts is exactly what the sink uses.
struct TemplateSettings {
	std::string url;          // config.url: where the documents go
	std::string api_key;      // secrets.api_key: sent as "Authorization: Bearer <api_key>"
	http::ClientOptions http; // the shared HTTP keys: timeout_ms, headers, TLS, proxy, compression
};

// ParseTemplateSettings is the one parser the validator and the runtime share: it fills *out
// (defaults for absent keys) and appends one problem per bad key, naming the key and the fix.
void ParseTemplateSettings(const nlohmann::json &config, const nlohmann::json &secrets, TemplateSettings *out,
                           std::vector<sink::ConfigProblem> *problems);

class TemplateKind : public sink::SinkKind {
public:
	// Name: what users write in rpc_sink_add(kind, …); lower case, one word.
	std::string_view Name() const override { return "template"; }
	// Summary: one line for the list of kinds.
	std::string_view Summary() const override { return "a skeleton to copy: NDJSON documents POSTed to url"; }
	std::vector<sink::ConfigProblem> Validate(const nlohmann::json &config,
	                                          const nlohmann::json &secrets) const override;
	// SecretKeys: config keys rpc_sinks must redact. Keep credentials out of config entirely
	// (in secrets, which rpc_sinks never shows) and this list stays empty.
};

} // namespace pgwatch_rpc::sinks
