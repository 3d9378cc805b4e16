#!/bin/sh
# tests/zig/run.sh PROG ZIG - the differential test against Zig's standard library.
#
# Builds tests/zig/oracle.zig with the Zig compiler ZIG (0.11: the vtable
# the programs are written for), runs it, cuts what it prints into one
# allocscope script per `case` (build/zig/cases/NAME.as) and plays each in
# PROG --batch: every `expect` in them is what real Zig did. A case that
# fails is a discrepancy; tests/zig/KNOWN_DIFFERENCES names those that are
# deliberate (or not fixed yet), and for them the test says so by name and
# requires that they still differ (a fixed one must leave the list).
# The closing line is "zig: N passed, N failed".
set -u
PROG=$1
ZIG=$2
HERE=$(dirname "$0")
OUT=$(dirname "$PROG")/zig
mkdir -p "$OUT/bin" "$OUT/cases"

ver=$("$ZIG" version) || { echo "test-zig: $ZIG does not run"; exit 1; }
case $ver in 0.11.*) ;; *) echo "test-zig: Zig $ver found; the oracle is written for 0.11"; exit 1;; esac

# zig build-exe caches by content: a second run compiles nothing
"$ZIG" build-exe "$HERE/oracle.zig" --cache-dir "$OUT/cache" --global-cache-dir "$OUT/gcache" \
    -femit-bin="$OUT/bin/oracle" --name oracle || { echo "test-zig: the oracle does not compile"; exit 1; }
"$OUT/bin/oracle" > "$OUT/oracle.out" || { echo "test-zig: the oracle failed"; exit 1; }

rm -f "$OUT"/cases/*.as "$OUT"/cases/*.log
grep '^# zig' "$OUT/oracle.out" > "$OUT/figures.txt"
awk -v dir="$OUT/cases" '
    /^case / { file = dir "/" $2 ".as"; print "# from tests/zig/oracle.zig (Zig " ver ")" > file; next }
    file != "" { print > file }
' ver="$ver" "$OUT/oracle.out"

known() { # the line of KNOWN_DIFFERENCES for case $1, if any
    grep -v '^#' "$HERE/KNOWN_DIFFERENCES" | awk -v c="$1" '$1 == c'
}

pass=0 fail=0 differ=0
for f in "$OUT"/cases/*.as; do
    name=$(basename "$f" .as)
    "$PROG" --batch "$f" > "$OUT/cases/$name.log" 2>&1
    status=$?
    k=$(known "$name")
    if grep -q ': error: ' "$OUT/cases/$name.log"; then
        # a script allocscope cannot even read is no known difference
        echo "FAIL $name: allocscope rejects the script the oracle wrote ($f):"
        grep ': error: ' "$OUT/cases/$name.log" | head -3 | sed 's/^/       /'
        fail=$((fail + 1))
        continue
    fi
    if [ $status -eq 0 ]; then
        if [ -n "$k" ]; then
            echo "FAIL $name: allocscope now agrees with Zig; take it out of tests/zig/KNOWN_DIFFERENCES"
            fail=$((fail + 1))
        else
            echo "ok   $name"
            pass=$((pass + 1))
        fi
    elif [ -n "$k" ]; then
        set -- $k
        echo "ok   $name: KNOWN DIFFERENCE $2 - $(echo "$k" | cut -d' ' -f3- | sed 's/^ *//')"
        grep -m1 -E 'expect failed|error' "$OUT/cases/$name.log" | sed 's/^/       allocscope: /'
        pass=$((pass + 1)) differ=$((differ + 1))
    else
        echo "FAIL $name: allocscope differs from Zig $ver (script $f):"
        grep -E 'expect failed|error' "$OUT/cases/$name.log" | head -5 | sed 's/^/       /'
        fail=$((fail + 1))
    fi
done
echo "($differ of them differ from Zig on purpose or until a fix: tests/zig/KNOWN_DIFFERENCES; Zig's own figures: $OUT/figures.txt)"
echo "zig: $pass passed, $fail failed"
[ $fail -eq 0 ]
