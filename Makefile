# allocscope - watch memory allocators work.
#
#   make            build the library and the program
#   make run        install what is missing, build, start the live view
#   make test       build and run every test (also under ASan + UBSan)
#   make bench      allocator benchmarks against malloc
#   make install    PREFIX=/usr/local, DESTDIR honoured
#   V=1             show the full commands

CC       ?= cc
CFLAGS   ?= -O2 -g
PREFIX   ?= /usr/local
BUILD    ?= build
PKGS      = ncursesw readline
TEST_PKGS = cmocka
DEB_PKGS  = libncurses-dev libreadline-dev libcmocka-dev pkg-config tmux valgrind clang libclang-rt-dev python3

WARN      = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wpointer-arith -Wformat=2 -Wvla -Wno-unused-parameter
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -Iinclude $(WARN) $(WERROR) $(CFLAGS) $(SANFLAGS) -MMD -MP
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
TEST_LIBS  = $(shell pkg-config --libs $(TEST_PKGS) 2>/dev/null)

ifeq ($(V),1)
Q =
else
Q = @
endif

LIB_SRC  = $(wildcard src/lib/*.c)
UI_SRC   = src/app/tui.c src/app/repl.c src/app/bench.c src/app/bench_scale.c
CORE_SRC = $(filter-out src/app/main.c $(UI_SRC), $(wildcard src/app/*.c))
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/%.o)
CORE_OBJ = $(CORE_SRC:%.c=$(BUILD)/%.o)
LIB      = $(BUILD)/liballocscope.a
CORE     = $(BUILD)/libscope_core.a
PROG     = $(BUILD)/allocscope
TESTS    = $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/test_*.c))

.PHONY: all run test unit check-deps deps clean install bench bench-instructions fuzz fuzz-regressions
all: check-deps $(PROG)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) $(PKG_CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^

$(CORE): $(CORE_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^

$(PROG): $(BUILD)/src/app/main.o $(UI_SRC:%.c=$(BUILD)/%.o) $(CORE) $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(PKG_LIBS) -lm

$(BUILD)/tests/%: tests/%.c $(CORE) $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -Itests -o $@ $< $(CORE) $(LIB) $(TEST_LIBS) -lm

# --- dependencies: found with pkg-config, installed with apt-get if missing
check-deps:
	@missing=""; \
	for p in $(PKGS) $(TEST_PKGS); do pkg-config --exists $$p 2>/dev/null || missing="$$missing $$p"; done; \
	for c in pkg-config tmux valgrind clang python3; do command -v $$c >/dev/null || missing="$$missing $$c"; done; \
	command -v clang >/dev/null && [ ! -f "$$(clang -print-file-name=libclang_rt.fuzzer-x86_64.a)" ] \
	  && missing="$$missing libclang-rt"; \
	if [ -n "$$missing" ]; then \
	  echo "allocscope: missing:$$missing; installing $(DEB_PKGS)"; \
	  $(MAKE) --no-print-directory deps || { echo "allocscope: please install: $(DEB_PKGS)"; exit 1; }; \
	fi

deps:
	@if [ "$$(id -u)" = 0 ]; then SUDO=; elif command -v sudo >/dev/null; then SUDO=sudo; \
	 else echo "allocscope: not root and no sudo: install $(DEB_PKGS) by hand"; exit 1; fi; \
	 command -v apt-get >/dev/null || { echo "allocscope: no apt-get here: install ncursesw, readline, cmocka, pkg-config, tmux"; exit 1; }; \
	 $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(DEB_PKGS) >/dev/null

run: all
	./$(PROG)

# --- tests ------------------------------------------------------------------
unit: $(TESTS)
	@set -e; for t in $(TESTS); do echo "== $$t"; $$t; done

# make test builds warning-free or not at all, with gcc and with clang
ASAN = BUILD=build/asan CC=clang CFLAGS="-O1 -g" WERROR=-Werror \
       SANFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"

test: check-deps
	$(Q)$(MAKE) --no-print-directory WERROR=-Werror unit $(PROG)
	$(Q)tests/run_scripts.sh $(PROG)
	$(Q)tests/bench_smoke.sh $(PROG)
	$(Q)tests/tui_e2e.sh $(PROG)
	@echo "== the same under AddressSanitizer + UndefinedBehaviorSanitizer"
	$(Q)$(MAKE) --no-print-directory $(ASAN) unit build/asan/allocscope
	$(Q)tests/run_scripts.sh build/asan/allocscope
	@echo "== the live view end to end under the sanitizers (reports go to build/asan/e2e)"
	$(Q)rm -rf build/asan/e2e && mkdir -p build/asan/e2e
	$(Q)ASAN_OPTIONS=detect_leaks=0:log_path=$(CURDIR)/build/asan/e2e/asan \
	  UBSAN_OPTIONS=print_stacktrace=1:log_path=$(CURDIR)/build/asan/e2e/ubsan \
	  tests/tui_e2e.sh build/asan/allocscope
	$(Q)if ls build/asan/e2e/* >/dev/null 2>&1; then cat build/asan/e2e/*; \
	  echo "the sanitizers reported errors in the live view"; exit 1; fi
	$(Q)tests/tui_monkey.sh build/asan/allocscope 8 1
	$(Q)tests/tui_monkey.sh build/asan/allocscope 8 2 --play scenes/10_freelist_vs_bump.as --delay 40
	@echo "== every script and scene under valgrind memcheck"
	$(Q)tests/run_scripts.sh $(PROG) valgrind
	@echo "== a short fuzzing pass on the seeds and every past crash"
	$(Q)$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(TEST_FUZZ_SECONDS)
	@echo "make test: all passed"

bench: check-deps $(PROG)
	./$(PROG) bench

bench-instructions: check-deps $(PROG)
	tests/bench_instructions.sh $(PROG)

# --- fuzzing: libFuzzer with clang, ASan and UBSan ---------------------------
FUZZ_TARGETS = session trace scene
FUZZ_SECONDS ?= 60
TEST_FUZZ_SECONDS ?= 10
FUZZ_FLAGS   = -std=c11 -D_GNU_SOURCE -Iinclude -g -O1 -fsanitize=fuzzer,address,undefined \
               -fno-sanitize-recover=all $(PKG_CFLAGS)
FUZZ_BINS    = $(FUZZ_TARGETS:%=build/fuzz/fuzz_%)

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(LIB_SRC) $(CORE_SRC) $(wildcard include/allocscope/*.h)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)clang $(FUZZ_FLAGS) -o $@ $< $(LIB_SRC) $(CORE_SRC) -lm

# make fuzz: first every kept regression input (tests/fuzz/regressions/T/)
# is replayed one by one, each failing one named; then each target fuzzes
# for FUZZ_SECONDS (60 by default) from its committed seeds (read only; new
# inputs go to build/fuzz/corpus_*) - the regressions are not fuzzed from,
# as a known crash among the inputs would stop most of libFuzzer's jobs.
# Each target runs in libFuzzer's fork mode and goes on past a crash, a hang
# (FUZZ_TIMEOUT s for one input) or an out-of-memory, so one run reports
# every failure it finds, of every target: each is kept as
# build/fuzz/crash_T-*, listed at the end, and fails make fuzz. To keep one
# as a regression: copy it to tests/fuzz/regressions/T/.
FUZZ_TIMEOUT ?= 10
fuzz: check-deps $(FUZZ_BINS)
	$(Q)failed=""; for t in $(FUZZ_TARGETS); do \
	  for f in $$(ls tests/fuzz/regressions/$$t/* 2>/dev/null); do \
	    build/fuzz/fuzz_$$t -timeout=$(FUZZ_TIMEOUT) $$f >build/fuzz/log_regression 2>&1 \
	      || { echo "fuzz $$t: the regression $$f fails"; failed="$$failed $$t:$$(basename $$f)"; }; \
	  done; \
	done; \
	for t in $(FUZZ_TARGETS); do \
	  mkdir -p build/fuzz/corpus_$$t build/fuzz/old; \
	  mv build/fuzz/crash_$$t-* build/fuzz/old/ 2>/dev/null; \
	  dict=""; if [ -f tests/fuzz/$$t.dict ]; then dict="-dict=tests/fuzz/$$t.dict"; fi; \
	  echo "== fuzz $$t for $(FUZZ_SECONDS) s"; \
	  build/fuzz/fuzz_$$t -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
	    -max_total_time=$(FUZZ_SECONDS) -timeout=$(FUZZ_TIMEOUT) -max_len=4096 -rss_limit_mb=4096 \
	    $$dict -artifact_prefix=build/fuzz/crash_$$t- build/fuzz/corpus_$$t tests/fuzz/corpus/$$t \
	    > build/fuzz/log_$$t 2>&1; \
	  status=$$?; \
	  grep -E "^#[0-9]+: cov" build/fuzz/log_$$t | tail -1; \
	  crashes=$$(ls build/fuzz/crash_$$t-* 2>/dev/null); \
	  if [ -n "$$crashes" ]; then \
	    for f in $$crashes; do echo "fuzz $$t: $$f"; done; failed="$$failed $$t"; \
	  elif [ $$status -ne 0 ] || ! grep -q "INFO: fuzzed for\|INFO: exiting: 0" build/fuzz/log_$$t; then \
	    tail -10 build/fuzz/log_$$t; echo "fuzz $$t did not run to its time limit (exit $$status)"; \
	    failed="$$failed $$t"; \
	  fi; \
	done; \
	if [ -n "$$failed" ]; then echo "make fuzz: failures in:$$failed (logs: build/fuzz/log_*)"; exit 1; fi

# the regressions (every crash ever found) replayed one by one; every
# failing one is named
fuzz-regressions: $(FUZZ_BINS)
	$(Q)failed=""; for t in $(FUZZ_TARGETS); do \
	  for f in $$(ls tests/fuzz/regressions/$$t/* 2>/dev/null); do \
	    build/fuzz/fuzz_$$t $$f >/dev/null 2>&1 || { echo "regression in $$t: $$f"; failed=1; }; \
	  done; \
	done; [ -z "$$failed" ]

clean:
	rm -rf build

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/allocscope
	install -m 755 $(PROG) $(DESTDIR)$(PREFIX)/bin/allocscope
	install -m 644 $(LIB) $(DESTDIR)$(PREFIX)/lib/
	install -m 644 include/allocscope/*.h $(DESTDIR)$(PREFIX)/include/allocscope/

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
