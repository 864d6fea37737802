#!/bin/bash
# build.sh OUTDIR: builds interop_client_go into OUTDIR with Debian's Go and Debian's Go
# packages only (GOPATH mode, offline): the messages are generated with protoc-gen-go into
# OUTDIR's GOPATH, next to a copy of the client's sources. Nothing generated is committed.
#
# Debian's grpc-go 1.33 encodes protoc-gen-go 1.28 messages only through the APIv2 shim of
# golang-github-golang-protobuf-1-5-dev (issue #2); with the 1.3 package alone, encoding
# Struct values crashes the client. The check below says so instead of crashing later.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
mkdir -p "$1"
OUT=$(cd "$1" && pwd)
SYSTEM_GOPATH=/usr/share/gocode

if ! grep -q 'protoimpl' "$SYSTEM_GOPATH/src/github.com/golang/protobuf/proto/registry.go" 2>/dev/null; then
	echo "build.sh: $SYSTEM_GOPATH lacks github.com/golang/protobuf 1.4+ (APIv2 shim):" \
		"install golang-github-golang-protobuf-1-5-dev" >&2
	exit 1
fi

SRC=$OUT/gopath/src/pgwatch_rpc/test/interop/go
rm -rf "$OUT/gopath"
mkdir -p "$SRC/pb" "$SRC/client"
# go_package in the .proto is pgwatch_rpc/test/interop/go/pb: protoc writes under that path.
protoc --proto_path="$REPO/proto" --go_out="$OUT/gopath/src" "$REPO/proto/pgwatch.proto"
cp "$HERE"/*.go "$SRC/client/"

cd "$SRC/client"
GO111MODULE=off GOPATH="$OUT/gopath:$SYSTEM_GOPATH" GOCACHE="$OUT/gocache" \
	GOPROXY=off go build -o "$OUT/interop_client_go" .
echo "$OUT/interop_client_go"
