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
SRCDIRS  := core fake-mx fake-dns fake-https attacker senders/builtin senders/ext reports sim replay
LIBSRC   := $(filter-out sim/main.c,$(foreach d,$(SRCDIRS),$(wildcard $(d)/*.c)))
LIBOBJ   := $(LIBSRC:%.c=$(BUILD)/%.o)
TESTSRC  := $(wildcard tests/unit/check_*.c)
TESTBIN  := $(TESTSRC:tests/unit/%.c=$(BUILD)/tests/%)

DEBS := build-essential pkg-config libssl-dev openssl libldns-dev ldnsutils zlib1g-dev \
        liblua5.4-dev check libjansson-dev libcurl4-openssl-dev libpcap-dev \
        iproute2 swaks libnet-ssleay-perl bind9-dnsutils python3 python3-jsonschema tshark \
        chromium perl groff-base mandoc man-db clang libclang-rt-14-dev libxml2-utils postfix tcpdump tmux \
        postfix-mta-sts-resolver libnet-dns-perl msmtp curl faketime unbound \
        libmariadb3 libspf2-2 nginx-light wrk dnsperf nsd python3-dkim python3-nacl

.PHONY: all check check-unit check-e2e check-asan bench clean deps docs format install
all: mxsim

mxsim: $(BUILD)/mxsim
	cp $< $@

$(BUILD)/mxsim: $(BUILD)/sim/main.o $(BUILD)/libmxsim.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libmxsim.a: $(LIBOBJ)
	rm -f $@; ar rcs $@ $^

$(BUILD)/%.o: %.c $(wildcard */*.h) $(wildcard senders/builtin/*.h) $(wildcard senders/ext/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libmxsim.a tests/unit/testutil.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libmxsim.a $(LDLIBS) $(CHECKLIBS)

# tests/hostile: the misbehaving sender (issue 8), run by tests/e2e/run.sh
HOSTILESRC := $(wildcard tests/hostile/*.c)
$(BUILD)/hostile: $(HOSTILESRC) tests/hostile/hostile.h $(BUILD)/libmxsim.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(HOSTILESRC) $(BUILD)/libmxsim.a $(LDLIBS)

check: check-unit check-e2e

check-unit: $(TESTBIN) $(BUILD)/mxsim
	@set -e; for t in $(TESTBIN); do echo "== $$t"; MXSIM_SRC=$(CURDIR) $$t; done

check-e2e: $(BUILD)/mxsim $(BUILD)/hostile
	MXSIM=$(BUILD)/mxsim sh tests/e2e/run.sh

check-asan:
	$(MAKE) BUILD=build-asan CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	        LDFLAGS="-fsanitize=address,undefined" check-unit-asan

# Unit tests, then the end-to-end suite with the sanitized binary (leaks
# are errors: LeakSanitizer runs at every exit).
check-unit-asan: $(TESTBIN) $(BUILD)/mxsim $(BUILD)/hostile
	@set -e; for t in $(TESTBIN); do echo "== $$t (asan+ubsan)"; \
	  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 MXSIM_SRC=$(CURDIR) $$t; done
	ASAN_OPTIONS=detect_leaks=1 MXSIM=$(BUILD)/mxsim sh tests/e2e/run.sh

bench: mxsim $(BUILD)/hostile
	HOSTILE=$(BUILD)/hostile sh tests/bench/run.sh
	sh tests/bench/senders.sh

# Installing postfix (and unbound) must not start or touch the host's own
# daemons: without systemd, their postinst runs invoke-rc.d, which obeys
# /usr/sbin/policy-rc.d; a temporary one that answers 101 (action
# forbidden) is put in place for the install and removed afterwards, only
# if this rule created it.  Then Exim (make exim).
deps:
	@if [ "$$(id -u)" = 0 ]; then \
	  made=; if [ ! -e /usr/sbin/policy-rc.d ]; then \
	    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; made=1; fi; \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $(DEBS); rc=$$?; \
	  if [ -n "$$made" ]; then rm -f /usr/sbin/policy-rc.d; fi; \
	  [ $$rc -eq 0 ] && $(MAKE) --no-print-directory exim; \
	else echo "run as root: apt-get install -y $(DEBS)"; fi

# Exim 4.96 with DANE is exim4-daemon-heavy, which conflicts with the
# postfix package: it is never installed, but downloaded and unpacked
# into EXIM_ROOT (senders/profiles/exim.conf runs it from there).
EXIM_ROOT ?= /opt/mxsim-exim
EXIM_DEBS := exim4-daemon-heavy exim4-base exim4-config
.PHONY: exim check-senders
exim:
	@if [ -x $(EXIM_ROOT)/usr/sbin/exim4 ]; then echo "exim: $(EXIM_ROOT) is there"; else \
	  set -e; t=$$(mktemp -d); chmod 755 $$t; cd $$t; apt-get download $(EXIM_DEBS); \
	  mkdir -p $(EXIM_ROOT); for d in *.deb; do dpkg -x $$d $(EXIM_ROOT); done; \
	  cd /; rm -rf $$t; echo "exim: unpacked into $(EXIM_ROOT)"; fi

# docs/conformance.md from real runs: every CONF_SENDERS over CONF_SCENARIOS,
# each sender at the scenario clock (--faketime), CONF_JOBS workers (the
# whole library: about 40 minutes on 2 busy cores, most of it Postfix).
CONF_SENDERS ?= postfix:dane postfix:mta-sts postfix:submission exim:dane swaks:tls \
                swaks:tls-on-connect curl:ssl-reqd curl:smtps msmtp:starttls msmtp:tls
CONF_SCENARIOS ?= scenarios
CONF_JOBS ?= 2
.PHONY: conformance
conformance: $(BUILD)/mxsim
	@set -e; t=$$(mktemp -d); chmod 755 $$t; for s in $(CONF_SENDERS); do echo "conformance: $$s"; \
	  $(BUILD)/mxsim run -q --no-capture --faketime -j $(CONF_JOBS) --sender $$s \
	    --out $$t/$$(echo $$s | tr : _) $(CONF_SCENARIOS) >/dev/null || [ $$? -le 2 ]; done; \
	python3 docs/conformance.py $$t/* > docs/conformance.md; rm -rf $$t; \
	echo "conformance: docs/conformance.md written"

# Real senders, the slow set too (Exim, msmtp): tests/e2e/senders.sh.
check-senders: $(BUILD)/mxsim
	MXSIM=$(BUILD)/mxsim SENDERS_SET=slow sh tests/e2e/senders.sh

# make install [PREFIX=/usr/local] [DESTDIR=]: the binary, mxsim(1) and
# mxsim-scenario(5).
PREFIX   ?= /usr/local
install: mxsim
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	  $(DESTDIR)$(PREFIX)/share/man/man5
	install -m 755 mxsim $(DESTDIR)$(PREFIX)/bin/mxsim
	install -m 644 man/mxsim.1 $(DESTDIR)$(PREFIX)/share/man/man1/mxsim.1
	install -m 644 man/mxsim-scenario.5 $(DESTDIR)$(PREFIX)/share/man/man5/mxsim-scenario.5

# docs/scenarios.md: the conformance table of the scenario library
# (tests/e2e/man.sh fails when it is not current).
docs: $(BUILD)/mxsim
	$(BUILD)/mxsim list --markdown scenarios > docs/scenarios.md

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

# CI: every target (or FUZZ_TARGETS) for FUZZ_SECONDS (default 60) each;
# fails on any crash, leak or hang; prints executions per second per
# target and the total wall time (about targets x FUZZ_SECONDS + build).
.PHONY: fuzz-ci
fuzz-ci: fuzz-build
	@start=$$(date +%s); \
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_BUILD=$(FUZZ_BUILD) FUZZ_TARGETS="$(FUZZ_TARGETS)" \
	  sh tests/fuzz/run.sh; rc=$$?; \
	echo "fuzz-ci: $$(ls $(FUZZ_BUILD)/fuzz | wc -l) targets x $(FUZZ_SECONDS) s: $$(( $$(date +%s) - start )) s wall, rc $$rc"; \
	exit $$rc

$(BUILD)/tests/check_fuzz_regress: $(wildcard tests/fuzz/*.h)

fuzz-clean:
	rm -rf $(FUZZ_BUILD)
clean: fuzz-clean
