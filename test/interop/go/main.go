// interop_client_go: a grpc-go client (Debian's grpc-go 1.33) that talks to a Receiver
// exactly as pgwatch's gRPC sink does (DESIGN.md §2): sink URI, username/password metadata
// on every call, the SyncMetric(InvalidOp) ping at connect, then sequential calls — one in
// flight at a time, no deadline, no compression, no retries. Prints one JSON line per call
// ({"method", "code", "message", "logmsg"} and "op" for SyncMetric) and exits 0 whatever the
// server answered; 1 on its own errors, 2 on usage errors.
//
//   interop_client_go --sink grpc://USER:PASSWORD@HOST:PORT/?sslrootca=CA [--count N]
//                     [--rows N] [--dbname X] [--metric Y] [--seed S] [--max-seconds S]
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"pgwatch_rpc/test/interop/go/pb"
)

func printCall(method string, reply *pb.Reply, err error, extra map[string]any) codes.Code {
	st := status.Convert(err)
	line := map[string]any{"method": method, "code": int(st.Code()), "message": st.Message(), "logmsg": ""}
	if err == nil && reply != nil {
		line["logmsg"] = reply.GetLogmsg()
	}
	for k, v := range extra {
		line[k] = v
	}
	text, _ := json.Marshal(line)
	fmt.Println(string(text))
	return st.Code()
}

func fail(code int, format string, args ...any) {
	fmt.Fprintf(os.Stderr, "interop_client_go: "+format+"\n", args...)
	os.Exit(code)
}

func main() {
	sink := flag.String("sink", "", "grpc://USER:PASSWORD@HOST:PORT/?sslrootca=CA_FILE")
	count := flag.Int("count", 1, "UpdateMeasurements calls")
	rows := flag.Int("rows", 3, "rows per envelope")
	dbname := flag.String("dbname", "interop_go_db", "source name (DBName)")
	metric := flag.String("metric", "interop_metric", "metric name")
	seed := flag.Int64("seed", 1, "seed of the row contents")
	maxSeconds := flag.Int("max-seconds", 120, "give up after this long (pgwatch's calls have no deadline)")
	flag.Parse()
	if *sink == "" || flag.NArg() != 0 || *count < 0 || *rows < 0 {
		flag.Usage()
		os.Exit(2)
	}
	uri, err := parseSinkURI(*sink)
	if err != nil {
		fail(2, "%v", err)
	}
	transport, err := uri.transportOption()
	if err != nil {
		fail(1, "%v", err)
	}
	// A watchdog, not a call deadline: the calls must go out without grpc-timeout, as
	// pgwatch's do, but the test must not hang on a server that never answers.
	time.AfterFunc(time.Duration(*maxSeconds)*time.Second, func() {
		fail(1, "no answer within %d s", *maxSeconds)
	})

	conn, err := grpc.Dial(uri.address, transport)
	if err != nil {
		fail(1, "dial %s: %v", uri.address, err)
	}
	defer conn.Close()
	client := receiverClient{conn: conn}
	ctx := metadata.NewOutgoingContext(context.Background(),
		metadata.Pairs("username", uri.username, "password", uri.password))

	sync := func(db, m string, op pb.SyncOp) codes.Code {
		reply, err := client.SyncMetric(ctx, &pb.SyncReq{DBName: db, MetricName: m, Operation: op})
		return printCall("SyncMetric", reply, err, map[string]any{"op": op.String(), "dbname": db, "metric": m})
	}

	// The connect-time ping: only UNAVAILABLE makes pgwatch give up on the sink.
	if sync("", "", pb.SyncOp_InvalidOp) == codes.Unavailable {
		return
	}
	sync(*dbname, "", pb.SyncOp_AddOp)
	sync(*dbname, *metric, pb.SyncOp_AddOp)
	rng := rand.New(rand.NewSource(*seed))
	tags := map[string]string{"env": "interop", "client": "grpc-go"}
	for i := 0; i < *count; i++ {
		env, err := envelope(*dbname, *metric, tags, measurementRows(rng, *dbname, *rows))
		if err != nil {
			fail(1, "structpb: %v", err)
		}
		reply, err := client.UpdateMeasurements(ctx, env)
		printCall("UpdateMeasurements", reply, err, map[string]any{"rows": *rows})
	}
	definitions, err := metricDefinitions()
	if err != nil {
		fail(1, "structpb: %v", err)
	}
	reply, err := client.DefineMetrics(ctx, definitions)
	printCall("DefineMetrics", reply, err, nil)
	sync(*dbname, *metric, pb.SyncOp_DeleteOp)
}
