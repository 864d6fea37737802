// Measurement rows as pgwatch builds them: Go maps (metrics.Measurement is map[string]any)
// with int64 epoch_ns, tag_* fields, numbers, strings, bools and nils, converted row by row
// with structpb.NewStruct, so every number travels as a double.
package main

import (
	"fmt"
	"math/rand"
	"time"

	"google.golang.org/protobuf/types/known/structpb"

	"pgwatch_rpc/test/interop/go/pb"
)

func measurementRows(rng *rand.Rand, dbname string, rows int) []map[string]any {
	now := time.Now().UnixNano()
	out := make([]map[string]any, 0, rows)
	for r := 0; r < rows; r++ {
		out = append(out, map[string]any{
			"epoch_ns":             now + int64(r),
			"tag_datname":          dbname,
			"tag_application_name": fmt.Sprintf("app_%d", rng.Intn(8)),
			"numbackends":          rng.Intn(500),
			"xact_commit":          rng.Int63n(10000000000),
			"blks_hit_ratio":       float64(rng.Intn(10000)) / 100,
			"state":                "active",
			"query":                "SELECT 'ünïcødé ✓' FROM \"Quoted\"\tWHERE x <> 1;\n",
			"in_recovery":          false,
			"backup_label":         nil,
		})
	}
	return out
}

// envelope converts rows the way pgwatch's sink does; a row structpb cannot convert is an
// error of this client, not of the server.
func envelope(dbname, metric string, customTags map[string]string, rows []map[string]any) (*pb.MeasurementEnvelope, error) {
	data := make([]*structpb.Struct, 0, len(rows))
	for _, row := range rows {
		s, err := structpb.NewStruct(row)
		if err != nil {
			return nil, err
		}
		data = append(data, s)
	}
	return &pb.MeasurementEnvelope{DBName: dbname, MetricName: metric, CustomTags: customTags, Data: data}, nil
}

// metricDefinitions is a DefineMetrics payload shaped like pgwatch's metric definitions.
func metricDefinitions() (*structpb.Struct, error) {
	return structpb.NewStruct(map[string]any{
		"metrics": map[string]any{
			"db_stats": map[string]any{
				"sqls":              map[string]any{"11": "select 1 as numbackends"},
				"gauges":            []any{"numbackends"},
				"is_instance_level": false,
			},
		},
		"presets": map[string]any{
			"basic": map[string]any{"description": "interop preset", "metrics": map[string]any{"db_stats": 60}},
		},
	})
}
