# mxsim build.  `make` builds ./mxsim; `make check` runs the unit tests and the
# end-to-end suite; `make check-asan` runs the unit tests under ASan+UBSan.

PKGS     := lua5.4 ldns jansson libcurl libssl libcrypto libpcap
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

DEBS := build-essential pkg-config libssl-dev openssl libldns-dev ldnsutils \
        liblua5.4-dev check libjansson-dev libcurl4-openssl-dev libpcap-dev \
        iproute2 swaks libnet-ssleay-perl bind9-dnsutils python3 python3-jsonschema

.PHONY: all check check-unit check-e2e check-asan bench clean deps format
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

check-unit: $(TESTBIN) mxsim
	@set -e; for t in $(TESTBIN); do echo "== $$t"; MXSIM_SRC=$(CURDIR) $$t; done

check-e2e: mxsim
	sh tests/e2e/run.sh

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

clean:
	rm -rf build build-asan mxsim mxsim-out
