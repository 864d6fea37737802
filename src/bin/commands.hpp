// Subcommands of the pgwatch-rpc binary and the exit codes the launcher interprets:
// 0 = clean stop (stay down), 1 = runtime failure (restart with backoff), 2 = bad
// configuration or usage (restarting will not help until the configuration changes).
#pragma once

namespace pgwatch_rpc::bin {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;
constexpr const char *kVersion = "0.1";

// RunListen: `pgwatch-rpc listen --config FILE --dsn CONNINFO [--parent-pid N]`.
// argv[0] is "listen".
int RunListen(int argc, char **argv);

// RunDeliver: `pgwatch-rpc deliver SINK --dsn CONNINFO [--parent-pid N]`. argv[0] is "deliver".
int RunDeliver(int argc, char **argv);

// RunTestSink: `pgwatch-rpc test-sink SINK REQUEST_ID --dsn CONNINFO [--parent-pid N]`.
int RunTestSink(int argc, char **argv);

// RunSend: `pgwatch-rpc send --sink URI [--count N] …` (src/sender). argv[0] is "send".
int RunSend(int argc, char **argv);

// RunSinkRun: `pgwatch-rpc sink-run --kind KIND --config FILE …`: one sink on sample
// measurements, without a database. argv[0] is "sink-run".
int RunSinkRun(int argc, char **argv);

} // namespace pgwatch_rpc::bin
