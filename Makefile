# SPDX-License-Identifier: MIT
# casefile — GNU Makefile.
#
# Knobs (override on the command line or in the environment):
#   CC        C compiler                         (default: cc)
#   CFLAGS    extra compiler flags               (default: -O2 -g)
#   PREFIX    install prefix                     (default: /usr/local)
#   DESTDIR   staging root for packagers         (default: empty)
#   SANITIZE  e.g. address,undefined             (default: none; see 'make check')
#   BUILD     object directory                   (default: build, or build-san)
#   MALLOC_LIBS  allocator linked into ./casefile (default: mimalloc; empty:
#             the C library's malloc; always empty with SANITIZE)
#   DEVELOPER=1  turn warnings into errors
#   V=1       show the full compiler commands
#
# Targets: all (./casefile), deps, deps-scale, test, test-scale, check, tsan, demo, fuzz, torture, torture-scale,
#          bench, install, clean.  'test', 'check' and 'demo' run 'deps' first, which
#          installs missing Debian packages when run as root.

CC       ?= cc
CFLAGS   ?= -O2 -g
PREFIX   ?= /usr/local
DESTDIR  ?=
BUILD    ?= build
BINDIR    = $(DESTDIR)$(PREFIX)/bin
DATADIR   = $(DESTDIR)$(PREFIX)/share/casefile

# libhpdf-dev 2.3.0 and libunistring ship no pkg-config file.
PKGS      = libarchive libcrypto libssl sqlite3 jansson libexif libwebp libwebpdemux libpng libjpeg libcurl libxml-2.0
# libpq: the PostgreSQL backend of the vault (issue 18, init --db postgresql://...)
PKGS     += libpq
# casefile pack and the dossier's media: libvips (cards: resize, Pango text,
# JPEG; HEIC via libheif, PDF pages via poppler), FFmpeg (video key frames),
# libqrencode (QR codes).  Linked only into libcasefile-media.so, which
# casefile loads when it first needs it (src/case/media_dl.c): libvips and
# FFmpeg bring ~400 shared libraries, ~20 MB RSS and ~0.15 s of start-up.
MEDIA_PKGS = vips libavformat libavcodec libswscale libavutil libqrencode
MEDIA_SRC  = src/input/frames.c src/input/imgconv.c src/case/pack_card.c src/case/pack_qr.c
LIBDIR    = $(DESTDIR)$(PREFIX)/lib/casefile
HPDF_LIBS ?= -lhpdf
UNISTRING_LIBS ?= -lunistring
# mimalloc replaces malloc in ./casefile: parsing JSON (jansson) and storing
# rows (SQLite) make millions of small allocations, across two threads;
# glibc's malloc cost the import about 1 s of its ~8 s CPU (README).  Linked
# first and kept even though nothing names it (--as-needed would drop it),
# so its malloc is the one every library finds.
MALLOC_LIBS ?= -Wl,--push-state,--no-as-needed -lmimalloc -Wl,--pop-state

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
MEDIA_CFLAGS := $(shell pkg-config --cflags $(MEDIA_PKGS) 2>/dev/null)
MEDIA_LIBS   := $(shell pkg-config --libs $(MEDIA_PKGS) 2>/dev/null)

WARN      = -Wall -Wextra -Wshadow -Wno-unused-parameter -Wformat=2 -Wno-format-nonliteral
CPPFLAGS += -Iinclude -D_GNU_SOURCE -DCASEFILE_DATADIR='"$(PREFIX)/share/casefile"' \
            -DCASEFILE_LIBDIR='"$(PREFIX)/lib/casefile"'
ALL_CFLAGS = -std=c11 $(WARN) $(CFLAGS) $(PKG_CFLAGS) -pthread
LDLIBS   += $(PKG_LIBS) $(HPDF_LIBS) $(UNISTRING_LIBS) -lz -lm -ldl -pthread

ifdef DEVELOPER
ALL_CFLAGS += -Werror
endif
ifdef SANITIZE
ALL_CFLAGS += -fsanitize=$(SANITIZE) -fno-sanitize-recover=all -fno-omit-frame-pointer
LDFLAGS    += -fsanitize=$(SANITIZE)
MALLOC_LIBS =
endif

ifndef V
QUIET_CC = @echo '   CC ' $@;
QUIET_LD = @echo '   LD ' $@;
QUIET_AR = @echo '   AR ' $@;
endif

# --- sources, by layer (one folder a layer; see README, Development) ---
# Dependencies point one way: cli -> case -> sign/store/input/pdf -> core.
# tests/layers.py checks the #include lines against this order.  A new
# module is picked up by its folder; one line a layer so merges stay clean.
SRC_CORE   = $(sort $(wildcard src/core/*.c))
SRC_STORE  = $(sort $(wildcard src/store/*.c))
SRC_INPUT  = $(sort $(wildcard src/input/*.c))
SRC_PDF    = $(sort $(wildcard src/pdf/*.c))
SRC_SIGN   = $(sort $(wildcard src/sign/*.c))
SRC_CASE   = $(sort $(wildcard src/case/*.c))
SRC_CLI    = $(sort $(wildcard src/cli/*.c))
SRC  = $(SRC_CORE) $(SRC_STORE) $(SRC_INPUT) $(SRC_PDF) $(SRC_SIGN) $(SRC_CASE) $(SRC_CLI)
OBJ  = $(filter-out $(filter-out %/pack_qr.o,$(MEDIA_SRC:src/%.c=$(BUILD)/%.o)),$(SRC:src/%.c=$(BUILD)/%.o))
LIB  = $(BUILD)/libcasefile.a
# pack_qr.c is pure text: in both (the library binds its own, -Bsymbolic)
MEDIA_OBJ = $(MEDIA_SRC:src/%.c=$(BUILD)/media/%.o)
MEDIA_SO  = $(BUILD)/libcasefile-media.so

ifeq ($(BUILD),build)
PROG = casefile
else
PROG = $(BUILD)/casefile
endif

# Unit tests: tests/unit/test_<m>.c, each its own cmocka program.
UNIT_SRC   = $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN   = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
# Helpers used by the CLI tests (test TSA, fixture generators).
TOOL_SRC   = $(sort $(wildcard tests/tools/*.c))
TOOL_BIN   = $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tests/tools/%)
# Code only the tests link (the in-process test TSA): tests/lib/*.c.
TESTLIB_SRC = $(sort $(wildcard tests/lib/*.c))
TESTLIB_OBJ = $(TESTLIB_SRC:tests/lib/%.c=$(BUILD)/tests/lib/%.o)
.SECONDARY: $(TESTLIB_OBJ)

all: $(PROG) $(MEDIA_SO)

$(BUILD)/%.o: src/%.c $(wildcard include/casefile/*.h) $(BUILD)/prefix.stamp | $(BUILD)
	@mkdir -p $(@D)
	$(QUIET_CC)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/media/%.o: src/%.c $(wildcard include/casefile/*.h) $(BUILD)/prefix.stamp | $(BUILD)
	@mkdir -p $(@D)
	$(QUIET_CC)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(MEDIA_CFLAGS) -fPIC -c -o $@ $<

# casefile's own helpers (errors, memory, buffers) come from the executable
$(MEDIA_SO): $(MEDIA_OBJ)
	$(QUIET_LD)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -shared -Wl,-Bsymbolic -o $@ $^ $(MEDIA_LIBS) \
		$(PKG_LIBS) -pthread

# The data folder (templates) is compiled in from PREFIX: rebuild when
# PREFIX changes, so 'make install PREFIX=/opt/x' gets a binary that looks
# in /opt/x/share/casefile.
$(BUILD)/prefix.stamp: FORCE | $(BUILD)
	@echo '$(PREFIX)' | cmp -s - $@ || echo '$(PREFIX)' >$@
FORCE:

$(BUILD):
	@mkdir -p $(BUILD)/tests/tools

$(LIB): $(filter-out $(BUILD)/cli/main.o,$(OBJ))
	$(QUIET_AR)rm -f $@ && ar rcs $@ $^

$(PROG): $(BUILD)/cli/main.o $(LIB) | $(MEDIA_SO)
	$(QUIET_LD)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -rdynamic -o $@ $(MALLOC_LIBS) $(BUILD)/cli/main.o \
		-Wl,--whole-archive $(LIB) -Wl,--no-whole-archive $(LDLIBS)

$(BUILD)/tests/lib/%.o: tests/lib/%.c tests/lib/%.h $(wildcard include/casefile/*.h) | $(BUILD)
	@mkdir -p $(@D)
	$(QUIET_CC)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/test_%: tests/unit/test_%.c tests/unit/testutil.h $(TESTLIB_OBJ) $(LIB) | $(BUILD)
	$(QUIET_CC)$(CC) $(CPPFLAGS) -Itests/unit -Itests/lib $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(TESTLIB_OBJ) $(LIB) $(LDLIBS) -lcmocka

$(BUILD)/tests/tools/%: tests/tools/%.c $(TESTLIB_OBJ) $(LIB) | $(BUILD)
	$(QUIET_CC)$(CC) $(CPPFLAGS) -Itests/lib $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(TESTLIB_OBJ) $(LIB) $(LDLIBS)

# --- Debian packages -------------------------------------------------------
DEB_BUILD = build-essential pkg-config libhpdf-dev libarchive-dev libxml2-dev libssl-dev \
            libsqlite3-dev libjansson-dev libexif-dev libwebp-dev libpng-dev \
            libjpeg-dev libcurl4-openssl-dev libunistring-dev zlib1g-dev libmimalloc-dev \
            fonts-wqy-microhei \
            libvips-dev libavformat-dev libavcodec-dev libswscale-dev libavutil-dev \
            libqrencode-dev libheif-dev \
            libpq-dev
DEB_TEST  = libcmocka-dev poppler-utils qpdf libnss3-tools sqlite3 zip unzip \
            p7zip-full zstd xz-utils bzip2 clang libclang-rt-14-dev \
            imagemagick libimage-exiftool-perl openssl git time img2pdf hyperfine \
            python3 jq bsdutils bc \
            zbar-tools ffmpeg qrencode libheif-examples strace linux-perf
DEB_ALL   = $(DEB_BUILD) $(DEB_TEST)

# install_missing PKGS: the recipe of deps and deps-scale
define install_missing
	@missing=$$(for p in $(1); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	done); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
		echo "casefile: installing Debian packages:" $$missing; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing >/dev/null || exit 1; \
	else \
		echo "casefile: missing Debian packages; run as root:"; \
		echo "  apt-get install -y $$missing"; exit 1; \
	fi
endef

deps:
	$(call install_missing,$(DEB_ALL))

# The services of 'make test-scale' (README, "Scaling out"): a single-node
# Ceph cluster with its RADOS Gateway, and s3cmd as an independent client;
# PostgreSQL 15 (server and psql) for throw-away clusters (tests/lib/pg.sh).
DEB_SCALE = ceph-mon ceph-mgr ceph-osd radosgw ceph-common s3cmd curl python3 \
            postgresql-15 postgresql-client-15 procps

deps-scale:
	$(call install_missing,$(DEB_SCALE))

# --- tests -----------------------------------------------------------------
test: deps
	@$(MAKE) --no-print-directory test-run

test-run: $(PROG) $(MEDIA_SO) $(UNIT_BIN) $(TOOL_BIN)
	@CASEFILE_BIN=$(abspath $(PROG)) BUILD=$(abspath $(BUILD)) sh tests/run.sh

# LeakSanitizer: fontconfig/Pango/GLib keep caches for the process's life
# (the media library's text); tests/lsan.supp names only those libraries.
check: deps
	@LSAN_OPTIONS=suppressions=$(abspath tests/lsan.supp):print_suppressions=0 \
		$(MAKE) --no-print-directory BUILD=build-san SANITIZE=address,undefined test-run

# ThreadSanitizer over the threaded parts: every unit test, the
# CLI tests of import and ingest (both run the two-thread pipeline of
# ingest_pipe.c; vault_put and sign one helper each) and t8600 (the O_DIRECT
# fallback of the staging ring).
tsan: deps
	@T="t605 t1003 t7601 t8600" TSAN_OPTIONS=halt_on_error=1 $(MAKE) --no-print-directory BUILD=build-tsan \
		SANITIZE=thread test-run

# --- fuzzing (clang libFuzzer; bounded time per harness) ------------------
# Every harness runs FUZZ_TIME seconds, also after another one crashed; a
# table of executions and results ends the run; exit 1 if any crashed.
FUZZ_SRC  = $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_TIME ?= 30
fuzz: deps
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang \
		CFLAGS="-O1 -g -fsanitize=fuzzer-no-link" SANITIZE=address,undefined build-fuzz/libcasefile.a
	@set -e; for f in $(FUZZ_SRC); do \
		n=$$(basename $$f .c); \
		clang $(CPPFLAGS) -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined $(PKG_CFLAGS) \
			-o build-fuzz/$$n $$f build-fuzz/libcasefile.a $(LDLIBS); \
	done
	@sh tests/fuzz/run.sh build-fuzz $(FUZZ_TIME) $(notdir $(FUZZ_SRC:.c=))

# --- torture (not in CI: minutes long; disk-full part needs root) ---------
# kill -9 campaign, disk-full runs on a tmpfs, concurrent pairs; prints a
# table.  Knobs: TORTURE_TIME (seconds of kill -9, default 150),
# TORTURE_SEED, TORTURE_STRICT=1 (leftovers fail), see tests/torture.sh.
# Objects in S3 against a real Ceph RADOS Gateway, and the whole CLI suite
# on a PostgreSQL vault (tests/scale/; README, "Scaling out").
test-scale: deps deps-scale $(PROG) $(MEDIA_SO) $(TOOL_BIN)
	@CASEFILE_BIN=$(abspath $(PROG)) BUILD=$(abspath $(BUILD)) sh tests/scale/run.sh

# The preprocessor flags of every source (tests/scale/t9201 runs cc -E over
# src/store and src/case to collect their SQL).
print-cflags:
	@echo $(CPPFLAGS) $(PKG_CFLAGS) $(MEDIA_CFLAGS)

torture: deps $(PROG) $(TOOL_BIN)
	@CASEFILE_BIN=$(abspath $(PROG)) CASEFILE_TOOLS=$(abspath $(BUILD)/tests/tools) \
		sh tests/torture.sh
	@$(MAKE) --no-print-directory torture-pg
	@$(MAKE) --no-print-directory torture-big
	@$(MAKE) --no-print-directory torture-scale

# The object store's faults (issue 18: t8700's init refusals and gateway
# killed mid-upload, t9100's SlowDown, network cuts, rotated keys, removed
# bucket, t9101's orphans) against a throw-away Ceph RGW — when its packages
# are installed (make deps-scale), else said and skipped.
torture-scale: $(PROG)
	@if command -v radosgw >/dev/null && command -v ceph-mon >/dev/null && \
	    command -v s3cmd >/dev/null; then \
		CASEFILE_BIN=$(abspath $(PROG)) BUILD=$(abspath $(BUILD)) T="t8700 t91" \
			sh tests/scale/run.sh; \
	else \
		echo "torture-scale: skipped: Ceph RGW and s3cmd are not installed (make deps-scale)"; \
	fi

# PostgreSQL restarted, killed, or an importer killed while two importers
# write one vault (issue 18; tests/torture-pg.sh, skipped without
# postgresql-15).  Knobs: TORTURE_PG_ROUNDS (6), TORTURE_SEED.
torture-pg: $(PROG)
	@CASEFILE_BIN=$(abspath $(PROG)) sh tests/torture-pg.sh

# Dossiers past 2 GiB (issue 19): tests/big/*.sh write a few GB on the disk
# under /tmp and take minutes.  BIG_MB=4600 goes past 4 GiB.
torture-big: $(PROG)
	@for t in tests/big/t*.sh; do \
		echo "# $$t"; \
		CASEFILE_BIN=$(abspath $(PROG)) sh $$t | tee $(BUILD)/torture-big.tap; \
		! grep -q '^not ok' $(BUILD)/torture-big.tap || exit 1; \
	done

# --- demo and bench --------------------------------------------------------
demo: deps
	@$(MAKE) --no-print-directory $(PROG) $(MEDIA_SO) $(BUILD)/tests/tools/tsa_server
	@CASEFILE_BIN=$(abspath $(PROG)) CASEFILE_TSA_SERVER=$(abspath $(BUILD)/tests/tools/tsa_server) \
		sh examples/demo.sh

bench: deps $(PROG)
	@for b in bench/*.sh; do sh $$b || exit 1; done

# --- install ---------------------------------------------------------------
install: $(PROG) $(MEDIA_SO)
	install -d $(BINDIR) $(DATADIR)
	install -m 0755 $(PROG) $(BINDIR)/casefile
	install -d $(LIBDIR)
	install -m 0644 $(MEDIA_SO) $(LIBDIR)/libcasefile-media.so
	cp -R templates $(DATADIR)/
	if [ -d fonts ]; then cp -R fonts $(DATADIR)/; fi
	install -m 0755 contrib/casefile-proofcheck.py $(DATADIR)/casefile-proofcheck.py

uninstall:
	rm -f $(BINDIR)/casefile
	rm -rf $(LIBDIR)
	rm -rf $(DATADIR)

clean:
	rm -rf build build-san build-tsan build-fuzz casefile demo-out

.PHONY: all deps deps-scale test test-scale test-run print-cflags check tsan fuzz torture torture-pg torture-big torture-scale demo bench install uninstall clean FORCE
.DELETE_ON_ERROR:
