# rbac: PGXS build.  See README.md for `make demo` and `make test`.

EXTENSION = rbac
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" rbac.control)

MODULE_big = rbac
OBJS = \
	src/cache.o \
	src/change_signal.o \
	src/check.o \
	src/gate.o \
	src/identity.o \
	src/json_tree.o \
	src/jwt.o \
	src/listing.o \
	src/principal.o \
	src/reach.o \
	src/rbac.o \
	src/scope.o \
	src/scope_literal.o \
	src/scope_search.o \
	src/scopeset.o \
	src/scopeset_cast.o \
	src/scopeset_cmp.o \
	src/scopeset_gin.o \
	src/scopeset_intersect.o \
	src/scopeset_ops.o \
	src/support.o

# The install script is assembled from one SQL part per concern, in order.
# Released versions are frozen in upgrade/: each version's install script
# and the upgrade script from the one before.  The upgrade script to the
# version being built is written by hand in upgrade/ as well, and
# test/upgrade/run proves that it gives a fresh install's schema.
SCOPESET_PARTS = \
	src/sql/scopeset_type.sql \
	src/sql/scopeset_ops.sql \
	src/sql/scopeset_index.sql \
	src/sql/scopeset_casts.sql

MODEL_PARTS = \
	src/sql/catalog.sql \
	src/sql/model.sql \
	src/sql/roles.sql \
	src/sql/checks.sql \
	src/sql/audit.sql \
	src/sql/actors.sql \
	src/sql/grants.sql \
	src/sql/ownership.sql \
	src/sql/nodes.sql \
	src/sql/custom_roles.sql \
	src/sql/review.sql \
	src/sql/identity.sql \
	src/sql/listing.sql \
	src/sql/replication.sql \
	src/sql/privileges.sql

DATA_built = $(EXTENSION)--$(EXTVERSION).sql
DATA = $(filter-out upgrade/$(EXTENSION)--$(EXTVERSION).sql,$(wildcard upgrade/*.sql))
EXTRA_CLEAN = regression.out regression.diffs results/ tmp_check/ output_iso/ log/ \
	test/fuzz/scopeset_fuzz test/fuzz/work/

REGRESS = io operators btree hash gin casts aggregates errors listing expiry index_support
REGRESS_OPTS = --load-extension=$(EXTENSION)

# Which PostgreSQL to build for: PG_CONFIG if given (make PG_CONFIG=...),
# else the newest major whose server headers are installed (tools/pg-version).
# Exported, so that tools/install-deps and the tests use the same one.
ifeq ($(PG_CONFIG),)
override PG_CONFIG := $(shell tools/pg-version --pg-config 2>/dev/null)
endif
export PG_CONFIG
PG_CFLAGS = -Wall -Wextra -Werror -Wno-unused-parameter
PG_CPPFLAGS = -I$(srcdir)/src

SHLIB_LINK = -lcrypto

# Before `make demo` or `make test` has installed the server headers there
# is no PGXS; those targets install them and then build in a fresh make.
PGXS := $(if $(PG_CONFIG),$(shell $(PG_CONFIG) --pgxs 2>/dev/null))
ifneq ($(PGXS),)
include $(PGXS)

# PGXS tracks no header dependencies: rebuild every object when a header changes.
$(OBJS): $(wildcard src/*.h)
endif

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

$(EXTENSION)--$(EXTVERSION).sql: src/sql/header.sql $(SCOPESET_PARTS) $(MODEL_PARTS) rbac.control
	cat src/sql/header.sql $(SCOPESET_PARTS) $(MODEL_PARTS) > $@

.PHONY: deps test-deps fuzz-deps demo test test-matrix bench-matrix bench fuzz sqlsmith valgrind stress

# Debian packages: what the build and demo need, and what the tests add.
deps:
	tools/install-deps build

test-deps:
	tools/install-deps test

demo: deps
	$(MAKE) all
	$(SUDO) $(MAKE) install PG_CONFIG=$(PG_CONFIG)
	tools/demo

# RBAC_TEST_DEPS_INSTALLED: the tools test-deps installs are there, so a
# test that needs one fails instead of skipping when it is missing.
test: test-deps
	$(MAKE) all
	$(SUDO) $(MAKE) install PG_CONFIG=$(PG_CONFIG)
	RBAC_TEST_DEPS_INSTALLED=1 tools/run-tests

# The README's make demo and make test on each Debian release, as a
# newcomer there would run them: each in a fresh chroot, with the
# PostgreSQL major the release ships, then a dump of the first restored on
# the others (tools/test-matrix; root, debootstrap and Debian's archive).
MATRIX_RELEASES ?= bookworm trixie testing
MATRIX_ENV = RBAC_MATRIX_CACHE,RBAC_MATRIX_MIRROR,RBAC_MATRIX_TIMEOUT,RBAC_MATRIX_KEEP
test-matrix:
	tools/install-deps matrix
	$(SUDO)$(if $(SUDO), --preserve-env=$(MATRIX_ENV)) tools/test-matrix $(MATRIX_RELEASES)

# The benchmarks on each release's PostgreSQL, never in CI: MATRIX_BENCH
# names them (default: the ones the README's per-major table quotes), and
# BENCH_* variables size them as for make bench.
MATRIX_BENCH ?= scopeset rls index
bench-matrix:
	tools/install-deps matrix
	$(SUDO) env RBAC_MATRIX_BENCH="$(MATRIX_BENCH)" $(foreach v,$(filter BENCH_%,$(.VARIABLES)),$(v)="$($(v))") \
		tools/test-matrix $(MATRIX_RELEASES)

fuzz-deps:
	tools/install-deps fuzz

# libFuzzer over the pure-C parser and canonicaliser, for FUZZ_SECONDS.
# New inputs go to test/fuzz/work; the committed seed corpus is read only.
# SCOPE_SEARCH_LINEAR_MAX=0 makes every set search use the sorted index,
# which the harness then checks against comparing every pair.
FUZZ_SECONDS ?= 60
fuzz: fuzz-deps
	clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-DSCOPE_SEARCH_LINEAR_MAX=0 -Isrc test/fuzz/scopeset_fuzz.c src/scope.c src/scope_literal.c src/scope_search.c \
		-o test/fuzz/scopeset_fuzz
	mkdir -p test/fuzz/work
	test/fuzz/scopeset_fuzz -max_total_time=$(FUZZ_SECONDS) -dict=test/fuzz/scope.dict \
		test/fuzz/work test/fuzz/corpus

# sqlsmith's random queries against a populated scratch database.
SQLSMITH_QUERIES ?= 20000
sqlsmith: deps
	tools/install-deps sqlsmith
	$(MAKE) all
	$(SUDO) $(MAKE) install PG_CONFIG=$(PG_CONFIG)
	SQLSMITH_QUERIES=$(SQLSMITH_QUERIES) test/sqlsmith/run

# The regression suites against a server under Valgrind's memcheck: errors
# in rbac fail, others are counted (test/valgrind/run).  Slow: pg_regress
# alone takes minutes.  VALGRIND_SUITES may add pgtap; PGTAP_FILES picks
# the pgTAP files.
VALGRIND_SUITES ?= regress isolation
valgrind: test-deps
	tools/install-deps valgrind
	$(MAKE) all
	$(SUDO) $(MAKE) install PG_CONFIG=$(PG_CONFIG)
	test/valgrind/run $(VALGRIND_SUITES)

# The commit window under load, with busy loops taking the CPUs at random:
# any check that disagrees with its own snapshot fails (test/stress/run).
STRESS_ROUNDS ?= 10
stress: test-deps
	$(MAKE) all
	$(SUDO) $(MAKE) install PG_CONFIG=$(PG_CONFIG)
	STRESS_ROUNDS=$(STRESS_ROUNDS) test/stress/run

bench: test-deps
	$(MAKE) all
	$(SUDO) $(MAKE) install PG_CONFIG=$(PG_CONFIG)
	test/bench/run
