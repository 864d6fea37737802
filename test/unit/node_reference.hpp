// Running a reference script of test/interop/node (an official client library, installed by
// `npm ci` there) from a unit test: whether a library is installed (tests skip without it),
// the script run on a JSON input, and the input of the scripts that take spool records.
#pragma once

#include "core/sink/sink.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace pgwatch_rpc::node_test {

// NodeModuleInstalled: whether test/interop/node/node_modules holds `module`.
bool NodeModuleInstalled(const std::string &module);

// RunNodeScript runs `node test/interop/node/<script> args… FILE`, FILE holding `input`, and
// returns its exit code (-1 if it did not exit); *output gets its stdout and stderr. The
// arguments go through the shell unquoted: tests pass loopback URLs, tokens and the like.
int RunNodeScript(const std::string &script, const std::vector<std::string> &args,
                  const nlohmann::json &input, std::string *output);

// RecordsInput: a batch's records as [{"listener_id", "seq", "envelope": <MeasurementEnvelope
// as protobuf JSON>}, …], the input of the scripts that build a sink's requests themselves.
// Throws std::runtime_error for a record that is no MeasurementEnvelope.
nlohmann::json RecordsInput(const sink::Batch &batch);

} // namespace pgwatch_rpc::node_test
