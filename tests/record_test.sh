#!/bin/sh
# record_test.sh - allocscope record end to end (issue 19).
#   - tests/record/known.c, whose calls are known: the recording holds
#     exactly those calls (threads, fork child, calloc overflow, realloc to
#     0, posix_memalign of 64, memalign, aligned_alloc, reallocarray...),
#     each of 4 threads' 20,000 rounds in its order, and across the threads
#     no address handed out before the free that gave it back; recorded
#     again without callers (the recorder's quick path), the same calls;
#   - tests/record/handoff.c, blocks going from thread to thread all the
#     time: again no address handed out while it is live;
#   - programs nobody here wrote, with a bounded workload: every recording
#     they leave replays on a free list of 64 MiB (larger if one block is)
#     without a failure, and where valgrind can count the same run its
#     allocation and free counts (and bytes, without threads) agree exactly
#     with the recording's;
#   - bad input: a command that does not exist, a statically linked one, a
#     truncated and a corrupt recording (the part before the damage
#     replays, the error names the byte), a newer format version.
# Usage: tests/record_test.sh path/to/allocscope   (make builds the .so and
# build/tests/record/known and handoff beside it)
set -u
prog=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
build=$(dirname "$prog")
here=$(cd "$(dirname "$0")" && pwd)
check="python3 $here/record/check.py"
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# replays FILE on a free list of 64 MiB (or of the size its header
# suggests when that is larger: sort asks for a 123 MiB buffer): no error,
# no failed operation
replays() {
    heap=$(sed -n '1s/ .*//p' "$1")
    on="freelist 64M"
    [ "$heap" -gt 67108864 ] && on="freelist $heap"
    if "$prog" --trace "$1" --on "$on" --batch >"$tmp/replay" 2>&1 && grep -q " 0 failed" "$tmp/replay"; then
        ok
    else
        bad "$1 does not replay on freelist 64M: $(cat "$tmp/replay")"
    fi
    # and on its own glibc layout, where every block must land where glibc put it (the session's
    # block names are looked up one by one: recordings of more than 20,000 operations are skipped)
    [ "$(sed -n 3p "$1")" -gt 20000 ] && return
    if "$prog" --trace "$1" --on glibc --batch >"$tmp/replay" 2>&1 && grep -q " 0 failed" "$tmp/replay" \
        && [ "$(tail -1 "$tmp/replay")" = "replay complete" ]; then
        ok
    else
        bad "$1 does not replay on its glibc layout: $(cat "$tmp/replay")"
    fi
}

# record NAME CMD...: records into $tmp/NAME.rec; every recording it leaves replays
record() {
    name=$1
    shift
    rm -f "$tmp/$name".rec*
    if "$prog" record -o "$tmp/$name.rec" ${stacks:-} -- "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"; then
        ok
    else
        bad "record $name: exit $? $(cat "$tmp/$name.err")"
    fi
    for f in "$tmp/$name".rec*; do
        [ -f "$f" ] && replays "$f"
    done
}

# same_as_valgrind NAME CMD...: valgrind's heap counts of the same run equal the recording's
# (with threads only the counts: valgrind's own thread-local storage changes the size glibc
# allocates for each new thread's, so the bytes differ by a few)
same_as_valgrind() {
    name=$1
    shift
    fields=3
    if [ "$1" = "--counts" ]; then fields=2; shift; fi
    command -v valgrind >/dev/null || { bad "valgrind is missing (make deps installs it)"; return; }
    valgrind --run-libc-freeres=no --run-cxx-freeres=no "$@" 2>"$tmp/$name.vg" >/dev/null
    vg=$(sed -n 's/.*total heap usage: \([0-9,]*\) allocs, \([0-9,]*\) frees, \([0-9,]*\) bytes allocated.*/\1 \2 \3/p' \
        "$tmp/$name.vg" | tr -d ,)
    rec=$($check counts "$tmp/$name.rec")
    vg=$(echo "$vg" | cut -d' ' -f1-$fields)
    rec=$(echo "$rec" | cut -d' ' -f1-$fields)
    if [ -n "$vg" ] && [ "$vg" = "$rec" ]; then ok; else bad "$name: valgrind counts '$vg', the recording '$rec'"; fi
}

# --- the known program ---------------------------------------------------
stacks=--stacks
record known "$build/tests/record/known"
stacks=
child=$(sed -n 's/^child \([0-9]*\)$/\1/p' "$tmp/known.out")
if [ -n "$child" ] && $check known "$tmp/known.rec" "$tmp/known.rec.$child"; then ok; else bad "known: the recorded calls differ"; fi
grep -q "threads=7 " "$tmp/known.rec" && ok || bad "known: not 7 threads"
# without callers (the recorder's quick path for malloc and free): the same calls, thread by thread
record known-plain "$build/tests/record/known"
$check plain "$tmp/known-plain.rec" "$tmp/known.rec" && ok || bad "known without callers: the calls differ"
# blocks handed from thread to thread all the time: no address comes back while it is live
record handoff "$build/tests/record/handoff"
$check handoff "$tmp/handoff.rec" && ok || bad "handoff: an address handed out while live, or too few went between threads"
# the check sees a recording whose threads are ordered wrongly: an address handed out in one thread
# before another thread's free of it
$check reorder "$tmp/known.rec" "$tmp/reordered.rec" && ! $check known "$tmp/reordered.rec" "$tmp/known.rec.$child" \
    >/dev/null && ok || bad "known: a recording with a reuse before its free passes the check"
# the glibc view: the known program's blocks at their recorded addresses minus the heap's start
printf 'new glibc %s\ntrace %s\nblocks\n' "$tmp/known.rec" "$tmp/known.rec" >"$tmp/layout.as"
"$prog" --batch "$tmp/layout.as" >"$tmp/layout.out" 2>&1 && grep -q ": [0-9]* operations, 0 failed" "$tmp/layout.out" \
    && $check layout "$tmp/known.rec" "$tmp/layout.out" && ok || bad "known on glibc: $(head -5 "$tmp/layout.out")"
grep -q "^allocscope: .* -> $tmp/known.rec: .* events (.* allocations, .* frees.*bytes per event" "$tmp/known.err" \
    && ok || bad "known: no summary: $(cat "$tmp/known.err")"

# --- programs nobody here wrote ------------------------------------------
i=0
while [ $i -lt 20000 ]; do echo "line $(( (i * 7919) % 20011 )) of the file"; i=$((i + 1)); done >"$tmp/lines.txt"
cat "$tmp/lines.txt" "$tmp/lines.txt" "$tmp/lines.txt" "$tmp/lines.txt" "$tmp/lines.txt" "$tmp/lines.txt" >"$tmp/big.txt"
record ls ls -lR /usr/share/doc
same_as_valgrind ls ls -lR /usr/share/doc
# the recording says where the main heap starts, so the glibc view shows glibc's own bytes
# before the first recorded chunk (its tcache) as chunk metadata, whatever glibc grew first
record small ls /
printf 'new glibc %s\ntrace %s\nexpect bytes 0 16 metadata\n' "$tmp/small.rec" "$tmp/small.rec" >"$tmp/own.as"
"$prog" --batch "$tmp/own.as" >"$tmp/own.out" 2>&1 && ok || bad "glibc's own bytes: $(tail -2 "$tmp/own.out")"
record sort sort "$tmp/lines.txt"
same_as_valgrind sort sort "$tmp/lines.txt"
# sort starts threads for 128 Ki lines and more
seq 300000 -1 1 >"$tmp/nums.txt"
record sort2 sort --parallel=2 "$tmp/nums.txt"
same_as_valgrind sort2 --counts sort --parallel=2 "$tmp/nums.txt"
threads=$(sed -n '4s/.*threads=\([0-9]*\).*/\1/p' "$tmp/sort2.rec")
[ "${threads:-0}" -ge 2 ] && ok || bad "sort --parallel=2: $threads threads recorded"
py=/usr/bin/python3
[ -x "$py" ] || py=$(python3 -c 'import sys; print(sys.executable)')
record python "$py" -c 'd = {i: str(i) * 40 for i in range(20000)}; s = sorted(d.values()); del d'
same_as_valgrind python "$py" -c 'd = {i: str(i) * 40 for i in range(20000)}; s = sorted(d.values()); del d'
printf 'struct node { int v; struct node *next; };\nint sum(struct node *n) { int s = 0; for (; n; n = n->next) s += n->v; return s; }\n' >"$tmp/small.c"
record gcc gcc -c -O2 -o "$tmp/small.o" "$tmp/small.c"
[ -f "$tmp/small.o" ] && ok || bad "gcc: no object"
ls "$tmp"/gcc.rec.* >/dev/null 2>&1 && ok || bad "gcc: its children (cc1, as) have no recordings"
cat "$tmp/big.txt" "$tmp/big.txt" "$tmp/big.txt" "$tmp/big.txt" >"$tmp/big4.txt"
record xz xz -T2 -0 --block-size=1MiB -c "$tmp/big4.txt"
# (not counted against valgrind: how many output buffers xz's threads take depends on their timing,
# and valgrind runs them one at a time - its own counts differ from run to run)
threads=$(sed -n '4s/.*threads=\([0-9]*\).*/\1/p' "$tmp/xz.rec")
[ "${threads:-0}" -ge 3 ] && ok || bad "xz -T2: $threads threads recorded, expected the main one and 2 workers"
record sh sh -c 'ls / >/dev/null; echo one two | tr a-z A-Z >/dev/null; exec sort "$0"' "$tmp/lines.txt"
n=$(ls "$tmp"/sh.rec* | wc -l)
[ "$n" -ge 3 ] && ok || bad "sh -c: $n recordings, expected sh and its exec'd and forked children"

# a fatal signal: what was buffered is flushed before the default action
"$prog" record -o "$tmp/sig.rec" -- perl -e 'my @a = map { "x" x $_ } 1..2000; kill "SEGV", $$; sleep 5' \
    >/dev/null 2>"$tmp/sig.err"
st=$?
allocs=$(sed -n 's/.*sig.rec: [0-9]* events (\([0-9]*\) allocations.*/\1/p' "$tmp/sig.err")
[ $st = 139 ] && grep -q "killed by signal 11" "$tmp/sig.err" && [ "${allocs:-0}" -ge 2000 ] && ok \
    || bad "SIGSEGV: exit $st, $(cat "$tmp/sig.err")"
replays "$tmp/sig.rec"
# a thread still running when the program ends (at exit, and at a fatal signal): what it buffered
# is written too (its buffer is flushed by the thread that ends the program)
for how in exit segv; do
    "$prog" record -o "$tmp/idle.rec" -- "$py" -c "
import os, signal, threading, time
def work():
    l = [bytes(700) for i in range(3000)]
    time.sleep(30)
threading.Thread(target=work, daemon=True).start()
time.sleep(0.5)
if '$how' == 'segv':
    os.kill(os.getpid(), signal.SIGSEGV)" >/dev/null 2>"$tmp/err"
    n=$(awk 'NR > 4 && $1 == "a" && $6 != 0 { n++ } END { print n + 0 }' "$tmp/idle.rec")
    [ "$n" -ge 3000 ] && ok || bad "an idle thread at $how: $n of its 3,000 allocations recorded: $(cat "$tmp/err")"
done
# a program that closes every descriptor (the recorder's too): the file is opened again, nothing is lost
"$prog" record -o "$tmp/close.rec" -- "$py" -c 'import os; os.closerange(3, 65536); l = [bytes(700) for i in range(5000)]' \
    2>"$tmp/err"
allocs=$(sed -n 's/.*close.rec: [0-9]* events (\([0-9]*\) allocations.*/\1/p' "$tmp/err")
[ "${allocs:-0}" -ge 5000 ] && ! grep -q STOPPED "$tmp/err" && ok || bad "closerange: $(cat "$tmp/err")"
# a program that never allocates still has a (empty) recording
"$prog" record -o "$tmp/true.rec" -- true 2>"$tmp/err" && grep -q "^end 0$" "$tmp/true.rec" && ok \
    || bad "true: $(cat "$tmp/err")"

# --- bad input -------------------------------------------------------------
"$prog" record -o "$tmp/none.rec" -- no-such-command-here 2>"$tmp/err"
[ $? = 127 ] && grep -q "no-such-command-here: command not found" "$tmp/err" && ok || bad "missing command: $(cat "$tmp/err")"
# a file that exists but cannot be run: 126 and why, as a shell says (not "command not found")
printf '#!/bin/sh\necho ran\n' >"$tmp/noexec.sh" && chmod 644 "$tmp/noexec.sh"
"$prog" record -o "$tmp/none.rec" -- "$tmp/noexec.sh" >"$tmp/out" 2>"$tmp/err"
[ $? = 126 ] && grep -q "noexec.sh: is not executable" "$tmp/err" && [ ! -s "$tmp/out" ] && ok \
    || bad "not executable: $(cat "$tmp/out" "$tmp/err")"
(PATH="$tmp:$PATH" "$prog" record -o "$tmp/none.rec" -- noexec.sh) 2>"$tmp/err"
[ $? = 126 ] && grep -q "noexec.sh: is not executable" "$tmp/err" && ok || bad "not executable on PATH: $(cat "$tmp/err")"
"$prog" record -o "$tmp/none.rec" 2>"$tmp/err"
[ $? = 2 ] && grep -q "usage: allocscope record" "$tmp/err" && ok || bad "no command: $(cat "$tmp/err")"
"$prog" record -o /nonexistent-dir/x.rec -- echo ran >"$tmp/out" 2>"$tmp/err"
[ $? = 2 ] && grep -q "cannot write /nonexistent-dir/x.rec" "$tmp/err" && [ ! -s "$tmp/out" ] && ok \
    || bad "unwritable -o (checked before the command runs): $(cat "$tmp/out" "$tmp/err")"
"$prog" record -o 2>"$tmp/err"
[ $? = 2 ] && grep -q -- "-o needs a file name" "$tmp/err" && ok || bad "-o alone: $(cat "$tmp/err")"
static=""
for s in /sbin/ldconfig /usr/sbin/ldconfig; do [ -x "$s" ] && static=$s && break; done
if [ -z "$static" ] || file "$static" 2>/dev/null | grep -qv static; then
    printf 'int main(void) { return 0; }\n' >"$tmp/st.c" && gcc -static -o "$tmp/st" "$tmp/st.c" && static=$tmp/st
fi
"$prog" record -o "$tmp/none.rec" -- "$static" -p >/dev/null 2>"$tmp/err"
[ $? = 2 ] && grep -q "is statically linked" "$tmp/err" && ok || bad "static $static: $(cat "$tmp/err")"
[ ! -e "$tmp/none.rec" ] && ok || bad "a recording was left for a command that did not run"

rec=$tmp/sort.rec
total=$(sed -n 3p "$rec")
size=$(wc -c <"$rec")
half=$((size / 2))
head -c $half "$rec" >"$tmp/trunc.rec"
"$prog" --trace "$tmp/trunc.rec" --on "freelist 64M" --batch >"$tmp/out" 2>"$tmp/err"
st=$?
done_ops=$(cat "$tmp/out" "$tmp/err" | sed -n 's/.*: \([0-9]*\) operations, 0 failed.*/\1/p')
[ $st = 1 ] && grep -q "trunc.rec: byte [0-9]*: .*truncated" "$tmp/err" && [ -n "$done_ops" ] && [ "$done_ops" -gt 0 ] \
    && [ "$done_ops" -lt "$total" ] && cat "$tmp/out" "$tmp/err" | grep -q "replay incomplete" \
    && ! grep -q "mdriver's utilisation" "$tmp/out" "$tmp/err" \
    && ok || bad "truncated: exit $st, $(cat "$tmp/out" "$tmp/err")"
# a corrupt line in the middle: the error names its byte offset
line=$((total / 2 + 4))
offset=$(head -n $((line - 1)) "$rec" | wc -c)
sed "${line}s/.*/a 1 2 zz/" "$rec" >"$tmp/corrupt.rec"
"$prog" --trace "$tmp/corrupt.rec" --on "freelist 64M" --batch >"$tmp/out" 2>"$tmp/err"
st=$?
[ $st = 1 ] && grep -q "corrupt.rec: byte $offset: .*; the $((line - 5)) operations before it replay" "$tmp/err" \
    && cat "$tmp/out" "$tmp/err" | grep -q ": $((line - 5)) operations, 0 failed" && ok || bad "corrupt at byte $offset: exit $st, $(cat "$tmp/out" "$tmp/err")"
sed '1s/allocscope-recording 2/allocscope-recording 3/' "$rec" >"$tmp/newer.rec"
"$prog" --trace "$tmp/newer.rec" --batch >"$tmp/out" 2>"$tmp/err"
[ $? = 2 ] && grep -q "format version 3; this allocscope reads version 2" "$tmp/err" && ok || bad "newer version: $(cat "$tmp/err")"
# a version 1 recording (no glibc fields, no heap=) still replays
sed -e '1s/allocscope-recording 2/allocscope-recording 1/' -e '5,$s/ g[0-9]*[mn]\{0,1\}\( \|$\)/\1/' "$rec" >"$tmp/v1.rec"
"$prog" --trace "$tmp/v1.rec" --on "freelist 64M" --batch >"$tmp/out" 2>&1 && grep -q ": $total operations, 0 failed" "$tmp/out" \
    && ! grep -q ' g[0-9]' "$tmp/v1.rec" && ok || bad "a version 1 recording: $(cat "$tmp/out")"
"$prog" --trace "$tmp/v1.rec" --on glibc --batch >"$tmp/out" 2>&1 && grep -q ": $total operations, 0 failed" "$tmp/out" \
    && ok || bad "a version 1 recording on its glibc view (sizes guessed): $(cat "$tmp/out")"
# old malloc-lab traces still replay, and a recording read as a malloc-lab trace (extra fields ignored)
printf '4096\n2\n4\n1\na 0 100\na 1 200\nf 0\nf 1\n' >"$tmp/old.trace"
"$prog" --trace "$tmp/old.trace" --batch >"$tmp/out" 2>&1 && grep -q ": 4 operations, 0 failed" "$tmp/out" && ok || bad "old trace: $(cat "$tmp/out")"
awk 'NR <= 4 { print $1; next } $1 == "a" || $1 == "r" { print $1, $2, ($3 ? $3 : 1); next } $1 == "f" { print $1, $2; next } { exit }' \
    "$rec" >"$tmp/plain.trace"
"$prog" --trace "$tmp/plain.trace" --on "freelist 64M" --batch >"$tmp/out" 2>&1 && grep -q ": $total operations, 0 failed" "$tmp/out" \
    && ok || bad "the recording read as a plain malloc-lab trace: $(cat "$tmp/out")"

echo "record_test: $pass passed, $fail failed"
[ $fail = 0 ]
