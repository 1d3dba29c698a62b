# vsphere-cpi-c: one non-recursive Makefile.
#   make           build build/cpi
#   make check     unit + replay suites, then simulator suites
#   make asan      the same suites under -fsanitize=address,undefined
#   make test      deps + check + asan + release-test (what CI runs)
#   make demo      Director-like sequence against recorded fixtures
#   make release-src  blobs and sources into release/ for bosh create-release
#   make clean
# BUILD selects the output directory so instrumented builds never mix
# objects with the plain one.

BUILD    ?= build
CC       ?= cc
# pkg-config modules of the libraries linked (one list, read by the
# scripts under tests/ that link libcpi.a too; the release's copy of
# this Makefile has none and is given its flags by its packaging).
PKGS     := $(shell cat scripts/pkg-modules 2>/dev/null)
VERSION  := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   := $(shell pkg-config --libs check 2>/dev/null)

# TEST_HOOKS=1 (the default) builds the test hooks in: the environment
# variables VSPHERE_CPI_FIXTURES (record/replay) and VSPHERE_CPI_FAULTS
# (fault injection) then change the vSphere transport.  The release's
# packaging script builds with TEST_HOOKS=0, so the binary it ships
# ignores them (--replay/--record stay: an explicit command line).  Use a
# separate BUILD directory for each setting.
TEST_HOOKS ?= 1

WARN      = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Wformat=2 -Wvla
CFLAGS   ?= -O2 -g
XCFLAGS  ?=
XLDFLAGS ?=
ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
             $(WARN) $(CFLAGS) $(XCFLAGS) -I. $(PKG_CFLAGS) \
             -DCPI_VERSION='"$(VERSION)"' -DVS_TEST_HOOKS=$(TEST_HOOKS)
LDLIBS    = $(PKG_LIBS) -lz -lm

# Every .c file of a module is part of the library except cpi/main.c.
# LIB_SRC, UNIT_SRC and INTEG_SRC may be narrowed on the command line
# while working on one module:
#   make BUILD=build/net LIB_SRC="$(wildcard network/*.c)" \
#        UNIT_SRC=tests/unit/check_net.c unit
BASE_SRC = $(sort $(wildcard base/*.c))
IMG_SRC  = $(sort $(wildcard image/*.c))
NET_SRC  = $(sort $(wildcard network/*.c))
VS_SRC   = $(sort $(wildcard vsphere/*.c))
CPI_SRC  = $(sort $(filter-out cpi/main.c,$(wildcard cpi/*.c)))
LIB_SRC  = $(BASE_SRC) $(IMG_SRC) $(NET_SRC) $(VS_SRC) $(CPI_SRC)
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/obj/%.o)

UNIT_SRC = $(sort $(wildcard tests/unit/check_*.c))
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
INTEG_SRC = $(sort $(wildcard tests/integration/check_*.c))
INTEG_BIN = $(INTEG_SRC:tests/integration/%.c=$(BUILD)/tests/integ_%)
SUPPORT_SRC = $(sort $(wildcard tests/support/*.c))
SUPPORT_OBJ = $(SUPPORT_SRC:%.c=$(BUILD)/obj/%.o)

.PHONY: all check unit integration asan valgrind test demo deps bench \
        clean fuzz fuzz-smoke deps-build record release-test \
        release-src
all: $(BUILD)/cpi

deps:
	@sh scripts/deps.sh test

deps-build:
	@sh scripts/deps.sh build

# Keep intermediate objects, so editing a header under tests/ rebuilds
# what includes it.
.SECONDARY:

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libcpi.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/cpi: $(BUILD)/obj/cpi/main.o $(BUILD)/libcpi.a
	$(CC) $(ALL_CFLAGS) $(XLDFLAGS) -o $@ $^ $(LDLIBS)

# tests/unit/check_oom.c fails chosen allocations: the library's malloc,
# calloc, realloc, strdup and strndup reach its __wrap_ functions.
LDFLAGS_check_oom = -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc \
                    -Wl,--wrap=strdup,--wrap=strndup

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(SUPPORT_OBJ) $(BUILD)/libcpi.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(XLDFLAGS) $(LDFLAGS_$*) -o $@ $^ $(LDLIBS) \
	    $(CHECK_LIBS)

$(BUILD)/tests/integ_%: $(BUILD)/obj/tests/integration/%.o $(SUPPORT_OBJ) \
                        $(BUILD)/libcpi.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(XLDFLAGS) -o $@ $^ $(LDLIBS) $(CHECK_LIBS)

# Unit and replay suites: no network, no simulator.  Suites that run the
# binary find it at $$CPI_TEST_BUILD/cpi (check builds it first).
unit: $(BUILD)/cpi $(UNIT_BIN)
	@sh tests/run-suites.sh $(BUILD) unit $(UNIT_BIN)

# Simulator suites: tests/sim/run.sh builds and starts a fresh simulator
# for each suite.
integration: $(BUILD)/cpi $(INTEG_BIN)
	@sh tests/sim/run.sh $(BUILD) $(INTEG_BIN)

check: $(BUILD)/cpi
	@sh tests/style/selftest.sh
	@sh tests/style/size.sh
	$(MAKE) unit
	$(MAKE) integration
	@sh tests/schemacheck/selftest.sh $(BUILD)
	@sh tests/schemacheck/run.sh $(BUILD) fixtures $(BUILD)/sim
	$(if $(NO_FUZZ_SMOKE),,$(MAKE) fuzz-smoke)

ASAN_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer \
             -fno-sanitize-recover=all
ASAN_TARGET ?= check
# NO_FUZZ_SMOKE: the fuzz harnesses are built with ASan and UBSan
# whatever the pass (tests/fuzz/run.sh), so check's run of them is not
# repeated here.
asan:
	$(MAKE) BUILD=build/asan CFLAGS="-O1 -g" XCFLAGS="$(ASAN_FLAGS)" \
	    XLDFLAGS="$(ASAN_FLAGS)" NO_FUZZ_SMOKE=1 $(ASAN_TARGET)

# Unit suites, then simulator suites, under memcheck.  The simulator
# suites run the cpi binary through BUILD/vg/cpi, a wrapper that starts
# it under memcheck too (exit 99 and the report on stderr on any error,
# which the suites see as a failed call); Check timeouts are stretched.
VG_CPI = valgrind -q --error-exitcode=99 --leak-check=full \
         --errors-for-leak-kinds=definite,indirect
valgrind: $(BUILD)/cpi $(UNIT_BIN) $(INTEG_BIN)
	@VALGRIND=1 sh tests/run-suites.sh $(BUILD) unit $(UNIT_BIN)
	@mkdir -p $(BUILD)/vg && cp $(BUILD)/cpi $(BUILD)/vg/cpi.real
	@printf '#!/bin/sh\nexec %s "$$(dirname "$$0")/cpi.real" "$$@"\n' \
	    '$(VG_CPI)' >$(BUILD)/vg/cpi && chmod +x $(BUILD)/vg/cpi
	@VALGRIND=1 CK_TIMEOUT_MULTIPLIER=20 \
	    sh tests/sim/run.sh $(BUILD)/vg $(INTEG_BIN)

# One closing line over every suite of both runs (tests/run-suites.sh
# appends each run's counts to the tally).  The check and asan passes
# compile with one job per CPU (JOBS; their suites already run one per
# CPU); the release test's packaging scripts set their own.
TALLY = $(CURDIR)/build/tally
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
test: deps
	@mkdir -p build && : >$(TALLY)
	CPI_TEST_TALLY=$(TALLY) $(MAKE) -j$(JOBS) check
	CPI_TEST_TALLY=$(TALLY) $(MAKE) -j$(JOBS) asan
	CPI_TEST_TALLY=$(TALLY) $(MAKE) release-test
	@awk '{p+=$$1; f+=$$2} END {printf "total: %d passed, %d failed\n", p, f; exit f>0}' $(TALLY)

# libFuzzer harnesses (tests/fuzz/run.sh): FUZZ_TIME seconds each
# (default 60), built with clang into build/fuzz; fuzz-smoke (part of
# check): FUZZ_SMOKE_TIME seconds each, the one place that number is set.
FUZZ_SMOKE_TIME = 3
fuzz:
	@sh tests/fuzz/run.sh build/fuzz $${FUZZ_TIME:-60}

fuzz-smoke:
	@sh tests/fuzz/run.sh build/fuzz $(FUZZ_SMOKE_TIME)

demo: deps-build
	@$(MAKE) --no-print-directory $(BUILD)/cpi $(BUILD)/libcpi.a
	@sh tests/demo.sh $(BUILD)

bench: deps $(BUILD)/cpi
	@sh tests/bench/run.sh $(BUILD)

release-test:
	sh tests/release/run.sh $(BUILD)

# Everything `bosh create-release` needs in release/: the blobs of
# release/config/blobs.yml (from Debian's source packages) and a copy of
# the CPI's sources.  Then: cd release && bosh create-release --force
release-src:
	sh release/scripts/fetch-blobs.sh release $(BUILD)/release-blobs
	sh release/scripts/sync-src.sh

# Re-records every fixture scenario against a fresh simulator.
record: deps $(BUILD)/cpi $(BUILD)/libcpi.a
	BUILD=$(BUILD) sh tests/replay/record.sh --all

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(BUILD)/obj/cpi/main.d \
         $(wildcard $(BUILD)/obj/tests/*/*.d)
