-- rpc_decode: spool payloads (protobuf bytes as pgwatch sends them) rendered as jsonb with
-- pgwatch's field names. The payloads below were encoded by hand from the proto (DESIGN.md §2).

-- A MeasurementEnvelope: DBName, MetricName, CustomTags and two Struct rows with every kind
-- of value (numbers arrive as doubles; epoch_ns keeps its digits).
SELECT jsonb_pretty(rpc_decode('\x0a0870726f642d646231120864625f73746174731a0b0a03656e76120470726f6422600a150a0865706f63685f6e73120911002a36fe9c97b7430a180a0b6e756d6261636b656e647312091100000000000008400a140a0b7461675f6461746e616d6512051a036170700a080a026f6b120220010a0d0a076e6f7468696e671202080022560a150a0865706f63685f6e73120911cac471fe9c97b7430a290a066e6573746564121f2a1d0a1b0a0161121632140a0911000000000000f03f0a031a01780a0220000a120a05726174696f120911000000000000d03f'));

-- kind defaults to 'measurement'; naming it gives the same result.
SELECT rpc_decode('\x0a0870726f642d646231120864625f7374617473'::bytea)
     = rpc_decode('\x0a0870726f642d646231120864625f7374617473'::bytea, 'measurement') AS same;

-- SyncReq: the operation by name.
SELECT rpc_decode('\x0a0870726f642d646231120864625f73746174731801', 'sync');
SELECT rpc_decode('\x0a0870726f642d6462321802', 'sync');
SELECT rpc_decode('\x', 'sync') AS ping;

-- DefineMetrics: the bare Struct.
SELECT rpc_decode('\x0a3b0a076d65747269637312302a2e0a2c0a0864625f737461747312202a1e0a1c0a0473716c7312142a120a100a023131120a1a0873656c6563742031', 'define');
SELECT rpc_decode('\x', 'define') AS empty_struct;

-- NULL in, NULL out.
SELECT rpc_decode(NULL) IS NULL AS null_payload, rpc_decode('\x', NULL) IS NULL AS null_kind;

-- Bad input: a clear error, never a crash.
SELECT rpc_decode('\x0a0870726f642d646231120864625f73746174731a0b0a03656e76120470726f6422600a150a0865706f63685f6e73120911002a36fe9c97b7430a180a0b6e756d6261636b656e647312091100000000000008400a140a0b7461675f6461746e616d6512051a036170700a080a026f6b120220010a0d0a076e6f7468696e671202080022560a150a0865706f63685f6e73120911cac471fe9c97b7430a290a066e6573746564121f2a1d0a1b0a0161121632140a0911000000000000f03f0a031a01780a0220000a120a05726174696f1209110000000000');
SELECT rpc_decode('\xff');
SELECT rpc_decode('\x', 'measurement');
SELECT rpc_decode('\x0a0870726f642d646231120864625f73746174731809', 'sync');
SELECT rpc_decode('\x0a', 'define');
SELECT rpc_decode('\x', 'metrics');
