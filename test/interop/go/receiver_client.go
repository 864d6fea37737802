// The Receiver client stub, written by hand with ClientConn.Invoke (what protoc-gen-go-grpc
// would generate), so the build needs only protoc-gen-go for the messages.
package main

import (
	"context"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/structpb"

	"pgwatch_rpc/test/interop/go/pb"
)

type receiverClient struct {
	conn *grpc.ClientConn
}

func (c receiverClient) UpdateMeasurements(ctx context.Context, in *pb.MeasurementEnvelope) (*pb.Reply, error) {
	out := new(pb.Reply)
	return out, c.conn.Invoke(ctx, "/Receiver/UpdateMeasurements", in, out)
}

func (c receiverClient) SyncMetric(ctx context.Context, in *pb.SyncReq) (*pb.Reply, error) {
	out := new(pb.Reply)
	return out, c.conn.Invoke(ctx, "/Receiver/SyncMetric", in, out)
}

func (c receiverClient) DefineMetrics(ctx context.Context, in *structpb.Struct) (*pb.Reply, error) {
	out := new(pb.Reply)
	return out, c.conn.Invoke(ctx, "/Receiver/DefineMetrics", in, out)
}
