# Shared helpers for the scripts in this folder. Source it; do not run it.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_BINDIR=/usr/lib/postgresql/15/bin

say() { printf '\n==> %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

need_root() {
	[ "$(id -u)" = 0 ] || die "run this as root (it installs Debian packages and the extension): sudo $0"
}

# retry runs a command up to 4 times, 10 s apart: package archives and the npm registry
# time out now and then, and one idle socket must not fail a whole test run.
retry() {
	local attempt
	for attempt in 1 2 3 4; do
		"$@" && return 0
		[ $attempt = 4 ] || { echo "($* failed, attempt $attempt of 4; retrying in 10 s)" >&2; sleep 10; }
	done
	return 1
}

# install_packages installs everything in scripts/packages.txt that is missing.
install_packages() {
	local wanted missing=()
	wanted=$(grep -vE '^\s*(#|$)' "$REPO_ROOT/scripts/packages.txt")
	for p in $wanted; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		say "installing Debian packages: ${missing[*]}"
		retry apt-get update -q
		DEBIAN_FRONTEND=noninteractive retry apt-get install -y -q "${missing[@]}"
	fi
	# The grpc-js interop client needs Node and npm. Machines that ship their own Node
	# (whose nodejs package conflicts with Debian's npm) keep it; others get Debian's.
	if ! command -v npm >/dev/null || ! command -v node >/dev/null; then
		say "installing Node.js and npm from Debian"
		apt-get update -q
		DEBIAN_FRONTEND=noninteractive retry apt-get install -y -q nodejs npm
	fi
}

# build_and_install compiles with CMake (through the PGXS Makefile) and installs the
# extension and the pgwatch-rpc binary into PostgreSQL 15's directories.
build_and_install() {
	say "building"
	make -C "$REPO_ROOT" PG_CONFIG=$PG_BINDIR/pg_config CMAKE_FLAGS="${CMAKE_FLAGS:-}" >/dev/null
	say "installing the extension and pgwatch-rpc"
	make -C "$REPO_ROOT" PG_CONFIG=$PG_BINDIR/pg_config install >/dev/null
}

# as_postgres runs a command as the postgres OS user (the server refuses root).
as_postgres() {
	runuser -u postgres -- env PATH="$PG_BINDIR:$PATH" "$@"
}
