#!/bin/sh
# run_scripts.sh - batch-mode tests of the allocscope program itself.
#   tests/scripts/NAME.as   must pass (exit 0), unless NAME.err exists: then
#                           it must fail (exit 1) with exactly that stderr
#   scenes/*.as             every scene must pass in batch mode
# Usage: tests/run_scripts.sh path/to/allocscope [valgrind]
set -u
prog=$1
wrap=${2:-}
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

run() { # run SCRIPT -> exit status; stdout/stderr in $tmp
    if [ -n "$wrap" ]; then
        valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
            --child-silent-after-fork=yes \
            "$prog" --batch "$1" >"$tmp/out" 2>"$tmp/err"
    else
        "$prog" --batch "$1" >"$tmp/out" 2>"$tmp/err"
    fi
}

for script in tests/scripts/*.as scenes/*.as; do
    [ -f "$script" ] || continue
    expected="${script%.as}.err"
    run "$script"
    status=$?
    if [ "$status" = 99 ]; then
        bad "$script: valgrind found errors"; cat "$tmp/err"; continue
    fi
    if [ -f "$expected" ]; then
        if [ "$status" = 1 ] && diff -u "$expected" "$tmp/err" >"$tmp/diff"; then ok
        else bad "$script: expected exit 1 and this stderr (got $status)"; cat "$tmp/diff"; fi
    elif [ "$status" = 0 ]; then ok
    else bad "$script: exit $status"; cat "$tmp/err"; fi
done

if [ -z "$wrap" ]; then
    # standard input that is not a terminal means batch mode
    printf 'new bump 128\nalloc 8 as a\nexpect offset 8\n' | "$prog" >"$tmp/out" 2>&1 \
        && grep -q "#1 a: 8 bytes at offset 0" "$tmp/out" && ok || bad "batch on standard input"
    # --json prints one valid JSON object
    printf 'new pool 24\nalloc 24 as x\n' | "$prog" --batch - --json --quiet >"$tmp/json" \
        && python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["blocks"][0]["name"]=="x"; assert d["allocator"]["offset"] is None' "$tmp/json" \
        && ok || bad "--json"
    # --frames draws the map after each change
    printf 'new bump 64\nalloc 8 as ab\n' | "$prog" --batch - --frames --ascii >"$tmp/out" \
        && grep -q '|ab######' "$tmp/out" && ok || bad "--frames"
    # a missing file is a clear error, not a crash
    "$prog" --batch /nonexistent/x.as 2>"$tmp/err"; [ $? = 2 ] && grep -q "cannot open" "$tmp/err" \
        && ok || bad "missing file"
    # a generated trace replays headless; one past the replay limits is refused, not written
    "$prog" --gen-trace coalescing --seed 4 --ops 500 >"$tmp/t.rep" \
        && "$prog" --trace "$tmp/t.rep" --batch >"$tmp/out" 2>&1 && grep -q "0 failed" "$tmp/out" \
        && ok || bad "--gen-trace then --trace"
    "$prog" --gen-trace random --ops 100000001 >"$tmp/big.rep" 2>"$tmp/err"; [ $? = 2 ] && [ ! -s "$tmp/big.rep" ] \
        && grep -q "takes a number" "$tmp/err" && ok || bad "--gen-trace past the limits"
    # the exit status says whether the replay was complete: 0 yes, 1 some operation failed, 2 no replay
    "$prog" --trace "$tmp/t.rep" --on "bump 64" --batch >"$tmp/out" 2>&1; [ $? = 1 ] \
        && grep -q "replay incomplete" "$tmp/out" && ok || bad "--trace incomplete exits 1"
    # --compare: the trace on each of the allocators, one table (as the usage says)
    "$prog" --trace "$tmp/t.rep" --compare "freelist 1M" "buddy 1M" --batch >"$tmp/out" 2>&1 \
        && grep -q "on 2 allocators" "$tmp/out" && grep -q "^  freelist  *500  *0 " "$tmp/out" \
        && grep -q "^  buddy  *500  *0 " "$tmp/out" && ok || bad "--trace --compare"
    # members that fail: the run exits 1 with the table on standard output, and each member's
    # failures are what it fails alone (a free of an id whose allocation failed everywhere too)
    "$prog" --gen-trace random --seed 1 --ops 2000 >"$tmp/r.rep"
    "$prog" --trace "$tmp/r.rep" --compare "bump 100" "pool 24" --batch >"$tmp/out" 2>"$tmp/err"; st=$?
    alone_bump=$("$prog" --trace "$tmp/r.rep" --on "bump 100" --batch 2>&1 | sed -n 's/.*operations, \([0-9]*\) failed.*/\1/p')
    alone_pool=$("$prog" --trace "$tmp/r.rep" --on "pool 24" --batch 2>&1 | sed -n 's/.*operations, \([0-9]*\) failed.*/\1/p')
    [ "$st" = 1 ] && [ ! -s "$tmp/err" ] && [ -n "$alone_bump" ] && [ -n "$alone_pool" ] \
        && grep -q "^  bump  *2000  *$alone_bump " "$tmp/out" && grep -q "^  pool  *2000  *$alone_pool " "$tmp/out" \
        && ok || bad "--trace --compare with failing members (exit $st; alone: $alone_bump, $alone_pool)"
    # --json without an allocator replays on the growing free list, as the text report does
    printf '100\n3\n3\n1\na 0 500\na 1 500\na 2 500\n' >"$tmp/small.rep"
    "$prog" --trace "$tmp/small.rep" --json --batch >"$tmp/out" 2>&1 && grep -q '"failures":0' "$tmp/out" \
        && grep -q 'growing like sbrk' "$tmp/out" && ok || bad "--trace --json on the default free list"
    printf '4096\n1\n1\n1\nx 0\n' >"$tmp/bad.rep"
    "$prog" --trace "$tmp/bad.rep" --batch >"$tmp/out" 2>&1; [ $? = 2 ] && ok || bad "--trace malformed exits 2"
    # bytes that are not text never crash it
    head -c 20000 /dev/urandom | "$prog" --batch - >/dev/null 2>&1; [ $? -le 1 ] && ok || bad "random bytes"
fi

# JSON names slack per block and each damaged range (issue 13)
printf 'new freelist 256\nalloc 64 as a\nalloc 16 as b\nfree a\nalloc 40 as c\ndump json\n' | "$prog" --batch - >"$tmp/out" 2>&1 \
    && grep -q '"name":"c","offset":16,"size":40,"align":1,"padding":0,"region":0,"state":"live","allocated_at":5,"slack":24' "$tmp/out" \
    && grep -q '"slack_bytes":24' "$tmp/out" && ok || bad "JSON slack"
printf 'new debug 256\nalloc 32 as name\nwrite name 40\ndump json\n' | "$prog" --batch - >"$tmp/out" 2>&1 \
    && grep -q '"damaged":\[{"region":0,"offset":32,"len":8,"block":"name","from_block":32,"where":"guard"}\]' "$tmp/out" \
    && grep -q '"damaged_bytes":8' "$tmp/out" && ok || bad "JSON damaged"

# the maps the README shows for its scenes are what the program draws
python3 tests/check_readme_maps.py "$prog" >"$tmp/out" 2>&1 && ok || { bad "README maps"; cat "$tmp/out"; }

# every caption that states a fact is backed by an expect (issue 13), and
# the check does catch one that is not
tests/check_captions.sh scenes/*.as >"$tmp/out" 2>&1 && ok || { bad "captions without expects"; cat "$tmp/out"; }
printf 'new bump 64\nnote The offset is 16 now.\nalloc 16\npause\n' >"$tmp/bad.as"
tests/check_captions.sh "$tmp/bad.as" >"$tmp/out" 2>&1; [ $? = 1 ] && grep -q "no expect backs it" "$tmp/out" \
    && ok || bad "check_captions lets an unbacked caption through"

echo "scripts: $pass passed, $fail failed"
[ "$fail" = 0 ]
