# rbac: PGXS build.  See README.md for `make demo` and `make test`.

EXTENSION = rbac
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" rbac.control)

MODULE_big = rbac
OBJS = \
	src/cache.o \
	src/change_signal.o \
	src/check.o \
	src/identity.o \
	src/json_flat.o \
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
	src/scopeset_ops.o

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

REGRESS = io operators btree hash gin casts aggregates errors listing
REGRESS_OPTS = --load-extension=$(EXTENSION)

PG_CONFIG ?= $(firstword $(wildcard /usr/lib/postgresql/15/bin/pg_config) pg_config)
PG_CFLAGS = -Wall -Wextra -Werror -Wno-unused-parameter
PG_CPPFLAGS = -I$(srcdir)/src

SHLIB_LINK = -lcrypto

# Before `make demo` or `make test` has installed the server headers there
# is no PGXS; those targets install them and then build in a fresh make.
PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)
ifneq ($(PGXS),)
include $(PGXS)

# PGXS tracks no header dependencies: rebuild every object when a header changes.
$(OBJS): $(wildcard src/*.h)
endif

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

$(EXTENSION)--$(EXTVERSION).sql: src/sql/header.sql $(SCOPESET_PARTS) $(MODEL_PARTS) rbac.control
	cat src/sql/header.sql $(SCOPESET_PARTS) $(MODEL_PARTS) > $@

.PHONY: deps test-deps fuzz-deps demo test bench fuzz sqlsmith valgrind stress

# Debian packages: what the build and demo need, and what the tests add.
deps:
	tools/install-deps build

test-deps:
	tools/install-deps test

demo: deps
	$(MAKE) all
	$(SUDO) $(MAKE) install
	tools/demo

test: test-deps
	$(MAKE) all
	$(SUDO) $(MAKE) install
	tools/run-tests

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
	$(SUDO) $(MAKE) install
	SQLSMITH_QUERIES=$(SQLSMITH_QUERIES) test/sqlsmith/run

# The regression suites against a server under Valgrind's memcheck: errors
# in rbac fail, others are counted (test/valgrind/run).  Slow: pg_regress
# alone takes minutes.  VALGRIND_SUITES may add pgtap; PGTAP_FILES picks
# the pgTAP files.
VALGRIND_SUITES ?= regress isolation
valgrind: test-deps
	tools/install-deps valgrind
	$(MAKE) all
	$(SUDO) $(MAKE) install
	test/valgrind/run $(VALGRIND_SUITES)

# The commit window under load, with busy loops taking the CPUs at random:
# any check that disagrees with its own snapshot fails (test/stress/run).
STRESS_ROUNDS ?= 10
stress: test-deps
	$(MAKE) all
	$(SUDO) $(MAKE) install
	STRESS_ROUNDS=$(STRESS_ROUNDS) test/stress/run

bench: test-deps
	$(MAKE) all
	$(SUDO) $(MAKE) install
	test/bench/run
