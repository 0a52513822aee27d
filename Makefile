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
# Targets: all (./casefile), deps, test, check, demo, fuzz, bench, install,
#          clean.  'test', 'check' and 'demo' run 'deps' first, which
#          installs missing Debian packages when run as root.

CC       ?= cc
CFLAGS   ?= -O2 -g
PREFIX   ?= /usr/local
DESTDIR  ?=
BUILD    ?= build
BINDIR    = $(DESTDIR)$(PREFIX)/bin
DATADIR   = $(DESTDIR)$(PREFIX)/share/casefile

# libhpdf-dev 2.3.0 and libunistring ship no pkg-config file.
PKGS      = libarchive libcrypto libssl sqlite3 jansson libexif libwebp libwebpdemux libpng libjpeg libcurl
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

WARN      = -Wall -Wextra -Wshadow -Wno-unused-parameter -Wformat=2 -Wno-format-nonliteral
CPPFLAGS += -Iinclude -D_GNU_SOURCE -DCASEFILE_DATADIR='"$(PREFIX)/share/casefile"'
ALL_CFLAGS = -std=c11 $(WARN) $(CFLAGS) $(PKG_CFLAGS) -pthread
LDLIBS   += $(PKG_LIBS) $(HPDF_LIBS) $(UNISTRING_LIBS) -lz -lm -pthread

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

# --- sources, by area (one line each, so parallel work merges cleanly) ---
# Modules in SRC_<area>, commands in CMD_<area>.
SRC_CORE    = src/err.c src/xalloc.c src/buf.c src/cftime.c src/ctx.c src/hash.c src/workq.c
SRC_VAULT   = src/db.c src/vault.c src/ingest.c
SRC_PARSE   = src/textenc.c src/csv.c src/parse.c src/parse_chat.c src/parse_logistics.c src/parse_order.c
SRC_MEDIA   = src/media.c
SRC_PDF     = src/pdf.c src/statement.c src/dossier.c
SRC_SIGN    = src/pdfread.c src/keys.c src/tsa.c src/pades.c src/verify.c
SRC_LEDGER  = src/ledger.c src/base64.c src/checkpoint.c src/kept.c src/seal.c src/proofs.c src/audit.c
SRC_BUNDLE  = src/bundle.c src/config.c
SRC_DISPUTE = src/money.c src/templates.c src/profile.c src/dispute.c src/checklist.c src/stats.c src/stats_report.c
CMD_VAULT   = src/cmd_init.c src/cmd_ingest.c src/cmd_list.c src/cmd_show.c
CMD_PDF     = src/cmd_build.c
CMD_SIGN    = src/cmd_keygen.c src/cmd_sign.c src/cmd_verify.c
CMD_LEDGER  = src/cmd_seal.c src/cmd_log.c src/cmd_audit.c
CMD_BUNDLE  = src/cmd_import.c src/cmd_export.c src/cmd_config.c
CMD_DISPUTE = src/cmd_dispute.c src/cmd_due.c src/cmd_check.c src/cmd_stats.c src/cmd_statement.c
SRC_CMD     = $(CMD_VAULT) $(CMD_PDF) $(CMD_SIGN) $(CMD_LEDGER) $(CMD_BUNDLE) $(CMD_DISPUTE)

SRC  = $(SRC_CORE) $(SRC_VAULT) $(SRC_PARSE) $(SRC_MEDIA) $(SRC_PDF) \
       $(SRC_SIGN) $(SRC_LEDGER) $(SRC_BUNDLE) $(SRC_DISPUTE) $(SRC_CMD)
OBJ  = $(SRC:src/%.c=$(BUILD)/%.o)
LIB  = $(BUILD)/libcasefile.a

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

all: $(PROG)

$(BUILD)/%.o: src/%.c $(wildcard include/casefile/*.h) $(BUILD)/prefix.stamp | $(BUILD)
	$(QUIET_CC)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

# The data folder (templates) is compiled in from PREFIX: rebuild when
# PREFIX changes, so 'make install PREFIX=/opt/x' gets a binary that looks
# in /opt/x/share/casefile.
$(BUILD)/prefix.stamp: FORCE | $(BUILD)
	@echo '$(PREFIX)' | cmp -s - $@ || echo '$(PREFIX)' >$@
FORCE:

$(BUILD):
	@mkdir -p $(BUILD)/tests/tools

$(LIB): $(filter-out $(BUILD)/main.o,$(OBJ))
	$(QUIET_AR)rm -f $@ && ar rcs $@ $^

$(PROG): $(BUILD)/main.o $(LIB)
	$(QUIET_LD)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(MALLOC_LIBS) $^ $(LDLIBS)

$(BUILD)/tests/test_%: tests/unit/test_%.c tests/unit/testutil.h $(LIB) | $(BUILD)
	$(QUIET_CC)$(CC) $(CPPFLAGS) -Itests/unit $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS) -lcmocka

$(BUILD)/tests/tools/%: tests/tools/%.c $(LIB) | $(BUILD)
	$(QUIET_CC)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

# --- Debian packages -------------------------------------------------------
DEB_BUILD = build-essential pkg-config libhpdf-dev libarchive-dev libssl-dev \
            libsqlite3-dev libjansson-dev libexif-dev libwebp-dev libpng-dev \
            libjpeg-dev libcurl4-openssl-dev libunistring-dev zlib1g-dev libmimalloc-dev \
            fonts-wqy-microhei
DEB_TEST  = libcmocka-dev poppler-utils qpdf libnss3-tools sqlite3 zip unzip \
            p7zip-full zstd xz-utils bzip2 clang libclang-rt-14-dev \
            imagemagick libimage-exiftool-perl openssl git time img2pdf hyperfine \
            python3 jq bsdutils bc
DEB_ALL   = $(DEB_BUILD) $(DEB_TEST)

deps:
	@missing=$$(for p in $(DEB_ALL); do \
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

# --- tests -----------------------------------------------------------------
test: deps
	@$(MAKE) --no-print-directory test-run

test-run: $(PROG) $(UNIT_BIN) $(TOOL_BIN)
	@CASEFILE_BIN=$(abspath $(PROG)) BUILD=$(abspath $(BUILD)) sh tests/run.sh

check: deps
	@$(MAKE) --no-print-directory BUILD=build-san SANITIZE=address,undefined test-run

# ThreadSanitizer over the threaded parts: every unit test and the import
# CLI tests (import runs two threads; vault_put and sign one helper each).
tsan: deps
	@T=t605 TSAN_OPTIONS=halt_on_error=1 $(MAKE) --no-print-directory BUILD=build-tsan \
		SANITIZE=thread test-run

# --- fuzzing (clang libFuzzer; bounded time per harness) ------------------
FUZZ_SRC  = $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_TIME ?= 30
fuzz: deps
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang \
		CFLAGS="-O1 -g -fsanitize=fuzzer-no-link" SANITIZE=address,undefined build-fuzz/libcasefile.a
	@set -e; for f in $(FUZZ_SRC); do \
		n=$$(basename $$f .c); \
		clang $(CPPFLAGS) -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined $(PKG_CFLAGS) \
			-o build-fuzz/$$n $$f build-fuzz/libcasefile.a $(LDLIBS); \
		mkdir -p build-fuzz/corpus-$$n; \
		echo "fuzz: $$n for $(FUZZ_TIME)s"; \
		./build-fuzz/$$n -max_total_time=$(FUZZ_TIME) -max_len=65536 \
			build-fuzz/corpus-$$n tests/fuzz/corpus/$$n 2>build-fuzz/$$n.log \
			|| { tail -40 build-fuzz/$$n.log; exit 1; }; \
	done

# --- demo and bench --------------------------------------------------------
demo: deps
	@$(MAKE) --no-print-directory $(PROG) $(BUILD)/tests/tools/tsa_server
	@CASEFILE_BIN=$(abspath $(PROG)) CASEFILE_TSA_SERVER=$(abspath $(BUILD)/tests/tools/tsa_server) \
		sh examples/demo.sh

bench: deps $(PROG)
	@for b in bench/*.sh; do sh $$b || exit 1; done

# --- install ---------------------------------------------------------------
install: $(PROG)
	install -d $(BINDIR) $(DATADIR)
	install -m 0755 $(PROG) $(BINDIR)/casefile
	cp -R templates $(DATADIR)/
	if [ -d fonts ]; then cp -R fonts $(DATADIR)/; fi

uninstall:
	rm -f $(BINDIR)/casefile
	rm -rf $(DATADIR)

clean:
	rm -rf build build-san build-tsan build-fuzz casefile demo-out

.PHONY: all deps test test-run check tsan fuzz demo bench install uninstall clean FORCE
.DELETE_ON_ERROR:
