// The sequence `pgwatch-rpc send` plays, modelled on pgwatch's gRPC sink: the connect-time
// ping, SyncMetric(AddOp) for every source and (source, metric), sequential
// UpdateMeasurements, then DefineMetrics; progress on out, summary at the end.
#pragma once

#include "sender/send_options.hpp"

#include <cstdio>

namespace pgwatch_rpc::sender {

// RunSend plays the sequence against options.uri and returns the exit status: 0 when every
// call was answered OK, 1 when some call failed or the server is unreachable, 2 when the
// CA file or the credentials are unusable.
int RunSend(const SendOptions &options, FILE *out, FILE *err);

} // namespace pgwatch_rpc::sender
