# The conventional PostgreSQL front door (STYLE.md §6.1): `make`, `make install`,
# `make installcheck` (pg_regress) and `make prove_installcheck` (TAP). CMake owns every
# compile; this file only delegates to it and keeps PGXS for installing and testing.
EXTENSION = pgwatch_rpc
DATA = extension/pgwatch_rpc--0.1.sql
EXTRA_CLEAN = build tmp_check results regression.diffs regression.out

REGRESS = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --temp-config=test/regress.conf --temp-instance=./tmp_check --load-extension=pgwatch_rpc
TAP_TESTS = 1
PROVE_TESTS = $(sort $(wildcard test/tap/*.pl))

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
BUILD_DIR ?= build
CMAKE_FLAGS ?=

all: cmake-build

# The extension control file lives in extension/; PGXS expects it at the top.
pgwatch_rpc.control: extension/pgwatch_rpc.control
	cp $< $@
EXTRA_CLEAN += pgwatch_rpc.control

$(BUILD_DIR)/CMakeCache.txt:
	cmake -S . -B $(BUILD_DIR) -DPG_CONFIG=$(PG_CONFIG) $(CMAKE_FLAGS)

.PHONY: cmake-build
cmake-build: $(BUILD_DIR)/CMakeCache.txt pgwatch_rpc.control
	cmake --build $(BUILD_DIR) -j$(shell nproc)

include $(PGXS)

# After PGXS, which resets it: TAP tests share helpers in test/tap/PgwatchRpcTest.pm.
PROVE_FLAGS = -I test/tap --timer

# PGXS installs the control and SQL files; the module and the binary come from CMake.
install: install-binaries
.PHONY: install-binaries
install-binaries: cmake-build
	$(INSTALL_SHLIB) $(BUILD_DIR)/pgwatch_rpc.so '$(DESTDIR)$(pkglibdir)/pgwatch_rpc.so'
	$(INSTALL_PROGRAM) $(BUILD_DIR)/pgwatch-rpc '$(DESTDIR)$(bindir)/pgwatch-rpc'

.PHONY: unitcheck
unitcheck: cmake-build
	cd $(BUILD_DIR) && ctest --output-on-failure
