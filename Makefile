# mxsim build.  `make` builds ./mxsim; `make check` runs the unit tests and the
# end-to-end suite; `make check-asan` runs the unit tests under ASan+UBSan.

PKGS     := lua5.4 ldns jansson libcurl libssl libcrypto libpcap zlib
CC       ?= cc
CFLAGS   ?= -O2 -g
override CFLAGS += -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter \
            -Wno-deprecated-declarations -D_GNU_SOURCE -I. \
            $(shell pkg-config --cflags $(PKGS))
override LDLIBS += $(shell pkg-config --libs $(PKGS)) -lm
CHECKLIBS := $(shell pkg-config --libs check 2>/dev/null)

BUILD    ?= build
SRCDIRS  := core fake-mx fake-dns fake-https attacker senders/builtin reports sim
LIBSRC   := $(filter-out sim/main.c,$(foreach d,$(SRCDIRS),$(wildcard $(d)/*.c)))
LIBOBJ   := $(LIBSRC:%.c=$(BUILD)/%.o)
TESTSRC  := $(wildcard tests/unit/check_*.c)
TESTBIN  := $(TESTSRC:tests/unit/%.c=$(BUILD)/tests/%)

DEBS := build-essential pkg-config libssl-dev openssl libldns-dev ldnsutils zlib1g-dev \
        liblua5.4-dev check libjansson-dev libcurl4-openssl-dev libpcap-dev \
        iproute2 swaks libnet-ssleay-perl bind9-dnsutils python3 python3-jsonschema tshark \
        chromium perl groff-base mandoc man-db clang libclang-rt-14-dev

.PHONY: all check check-unit check-e2e check-asan bench clean deps format install
all: mxsim

mxsim: $(BUILD)/mxsim
	cp $< $@

$(BUILD)/mxsim: $(BUILD)/sim/main.o $(BUILD)/libmxsim.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libmxsim.a: $(LIBOBJ)
	rm -f $@; ar rcs $@ $^

$(BUILD)/%.o: %.c $(wildcard */*.h) $(wildcard senders/builtin/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libmxsim.a tests/unit/testutil.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libmxsim.a $(LDLIBS) $(CHECKLIBS)

check: check-unit check-e2e

check-unit: $(TESTBIN) $(BUILD)/mxsim
	@set -e; for t in $(TESTBIN); do echo "== $$t"; MXSIM_SRC=$(CURDIR) $$t; done

check-e2e: $(BUILD)/mxsim
	MXSIM=$(BUILD)/mxsim sh tests/e2e/run.sh

check-asan:
	$(MAKE) BUILD=build-asan CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	        LDFLAGS="-fsanitize=address,undefined" check-unit-asan

# Unit tests, then the end-to-end suite with the sanitized binary (leaks
# are errors: LeakSanitizer runs at every exit).
check-unit-asan: $(TESTBIN) $(BUILD)/mxsim
	@set -e; for t in $(TESTBIN); do echo "== $$t (asan+ubsan)"; \
	  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 MXSIM_SRC=$(CURDIR) $$t; done
	ASAN_OPTIONS=detect_leaks=1 MXSIM=$(BUILD)/mxsim sh tests/e2e/run.sh

bench: mxsim
	sh tests/bench/run.sh

deps:
	@if [ "$$(id -u)" = 0 ]; then \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $(DEBS); \
	else echo "run as root: apt-get install -y $(DEBS)"; fi

# make install [PREFIX=/usr/local] [DESTDIR=]: the binary and mxsim(1).
PREFIX   ?= /usr/local
install: mxsim
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 mxsim $(DESTDIR)$(PREFIX)/bin/mxsim
	install -m 644 man/mxsim.1 $(DESTDIR)$(PREFIX)/share/man/man1/mxsim.1

clean:
	rm -rf build build-asan mxsim mxsim-out

# Fuzzing (tests/fuzz/README.md).  `make fuzz-build` builds every
# tests/fuzz/fuzz_*.c as a libFuzzer binary against a clang build of the
# library instrumented for libFuzzer, ASan and UBSan, in build-fuzz/.
# `make fuzz` runs each target (or those in FUZZ_TARGETS) for FUZZ_SECONDS
# on its seed corpus and regression inputs (new inputs go to
# build-fuzz/corpus/, crashes to build-fuzz/artifacts/) and prints
# executions per second.  check_fuzz_regress replays the corpora in
# `make check` without libFuzzer.
FUZZ_SECONDS ?= 60
FUZZ_BUILD   := build-fuzz
FUZZ_CFLAGS  := -O1 -g -fno-omit-frame-pointer -fno-sanitize-recover=undefined \
                -fsanitize=fuzzer-no-link,address,undefined
FUZZ_BIN     := $(patsubst tests/fuzz/%.c,$(FUZZ_BUILD)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))

.PHONY: fuzz fuzz-build fuzz-clean
# gcc's -Werror build is the gate; clang's extra warnings are shown here,
# not fatal.
$(FUZZ_BUILD)/%.o: override CFLAGS += -Wno-error
fuzz-build:
	$(MAKE) BUILD=$(FUZZ_BUILD) CC=clang CFLAGS="$(FUZZ_CFLAGS)" $(FUZZ_BIN)

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_%.h tests/fuzz/fuzz_common.h $(BUILD)/libmxsim.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fsanitize=fuzzer -o $@ $< $(BUILD)/libmxsim.a $(LDLIBS)

fuzz: fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_BUILD=$(FUZZ_BUILD) FUZZ_TARGETS="$(FUZZ_TARGETS)" \
	  sh tests/fuzz/run.sh

$(BUILD)/tests/check_fuzz_regress: $(wildcard tests/fuzz/*.h)

fuzz-clean:
	rm -rf $(FUZZ_BUILD)
clean: fuzz-clean
