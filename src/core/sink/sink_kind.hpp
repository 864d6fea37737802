// A kind of sink ("postgres", "elastic", …): its name, a one-line summary and its config
// validator. Validation runs both in `rpc_sink_add`/`rpc_sink_alter` (inside a PostgreSQL
// backend, through pg::InvokeCpp) and in the delivery child before it opens the sink, so it
// must be pure: no I/O, no threads, no global state.
#pragma once
#include "core/core_only.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace pgwatch_rpc::sink {

// ConfigProblem names the key (dotted path, e.g. "hosts[1]") and says what is wrong and
// what is allowed.
struct ConfigProblem {
	std::string key;
	std::string reason;
};

class SinkKind {
public:
	virtual ~SinkKind() = default;
	virtual std::string_view Name() const = 0;
	virtual std::string_view Summary() const = 0;
	// Validate: config and secrets are JSON objects (the caller checked that). Unknown keys
	// are problems too (a typo must not silently fall back to a default). The engine's own
	// keys (see core/delivery/delivery_config.hpp) are validated separately and must be
	// accepted here without complaint: use delivery::IsEngineKey.
	virtual std::vector<ConfigProblem> Validate(const nlohmann::json &config,
	                                            const nlohmann::json &secrets) const = 0;
	// SecretKeys: keys of `secrets` (and of `config`, if a kind accepts secrets there) that
	// rpc_sinks must show redacted.
	virtual std::vector<std::string> SecretKeys() const { return {}; }
};

} // namespace pgwatch_rpc::sink
