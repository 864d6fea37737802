#!/usr/bin/env bash
# The README's test command: installs every dependency (Debian packages, npm packages for the
# Node interop client), builds with warnings as errors, installs the extension, then runs
# the unit tests (ctest), the SQL API tests (pg_regress) and the process tests (TAP, with the
# real interop clients) as the postgres OS user. Run as root on Debian 12.
source "$(dirname "$0")/lib.sh"
need_root
cd "$REPO_ROOT"

install_packages
BUILD_DIR="$REPO_ROOT/build"
CMAKE_FLAGS="-DPGWATCH_RPC_WERROR=ON" build_and_install

say "building the test clients (Go, Node)"
bash test/interop/go/build.sh "$BUILD_DIR/interop-go" >/dev/null
(cd test/interop/node && retry npm ci --no-audit --no-fund --loglevel=error --fetch-timeout=60000 >/dev/null)

say "unit tests (ctest)"
(cd "$BUILD_DIR" && ctest --output-on-failure -j2)

# pg_regress and TAP write next to the sources: give the postgres user its own copy.
CHECK_DIR=$(mktemp -d /tmp/pgwatch_rpc-check.XXXXXX)
trap 'rm -rf "$CHECK_DIR"' EXIT
tar -C "$REPO_ROOT" --exclude=./build --exclude='./build-*' --exclude=./.git -cf - . | tar -C "$CHECK_DIR" -xf -
chown -R postgres:postgres "$CHECK_DIR"
chmod 755 "$CHECK_DIR"

say "SQL API tests (pg_regress), then process and interop tests (TAP)"
if ! as_postgres env PGWATCH_RPC_BUILD="$BUILD_DIR" \
	make -C "$CHECK_DIR" PG_CONFIG=$PG_BINDIR/pg_config installcheck; then
	cat "$CHECK_DIR/regression.diffs" 2>/dev/null || true
	for f in "$CHECK_DIR"/tmp_check/log/regress_log_*; do
		[ -f "$f" ] && { echo "---- $f (tail)"; tail -n 80 "$f"; }
	done
	exit 1
fi
say "all tests passed"
