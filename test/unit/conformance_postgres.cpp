// The postgres sink has no harness here: its target is a PostgreSQL server, which unit
// tests do not start. test/tap/070_postgres_sink.pl runs the same checks against real
// servers (delivery into the hub and a remote, rows compared with the spool, an outage,
// refused rows in the dead letters, kill -9 without duplicates).
#include "conformance_kit.hpp"

namespace pgwatch_rpc::conformance {
namespace {

const HarnessRegistration kPostgres{{"postgres", Redelivery::kStoredOnce, nullptr,
                                     "needs a PostgreSQL server: test/tap/070_postgres_sink.pl"}};

} // namespace
} // namespace pgwatch_rpc::conformance
