#!/bin/sh
# advise_cli.sh - `allocscope advise FILE [--json]` end to end: the
# malloc-lab shapes of --gen-trace each get an advice that cites its row,
# JSON that python3 parses, and bad input a clear error and exit status.
# Usage: tests/scripts/advise_cli.sh path/to/allocscope
set -u
prog=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
unwrap() { sed -e ':a' -e 'N' -e '$!ba' -e 's/\n    / /g'; } # joins the lines wrapped for the live view

for shape in random binary-tree coalescing realloc; do
    "$prog" --gen-trace "$shape" --ops 3000 --seed 2 >"$tmp/$shape.rep" || bad "gen-trace $shape"
    "$prog" advise "$tmp/$shape.rep" >"$tmp/wrapped" 2>"$tmp/err" || bad "advise $shape: $(cat "$tmp/err")"
    unwrap <"$tmp/wrapped" >"$tmp/out"
    grep -q '^The advice: ' "$tmp/out" || bad "$shape: no advice"
    grep -q 'row [0-9]* ([a-z]*): peak memory [0-9]* bytes' "$tmp/out" || bad "$shape: the advice cites no row"
    grep -q '<- advised' "$tmp/out" || bad "$shape: no advised row in the table"
    grep -q '^Try next, at the prompt:$' "$tmp/out" || bad "$shape: no try-next"
    grep -q '^  compare [a-z]' "$tmp/out" || bad "$shape: no compare line"
    grep -q '^  allocscope --trace .* --compare "' "$tmp/out" || bad "$shape: no shell line"
    "$prog" advise "$tmp/$shape.rep" --json >"$tmp/json" 2>"$tmp/err" || bad "advise --json $shape"
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); r=d["advice"]["row"]; row=d["rows"][r-1]; assert row["ran"] and row["failures"]==0, row; assert d["pattern"]["allocs"]>0' \
        "$tmp/json" || bad "$shape: JSON"
done
"$prog" advise "$tmp/random.rep" | unwrap | grep -q '^The advice: a general-purpose allocator' || bad "random: not general purpose"

# bad input: exit 1 (2 for usage) and a message naming the file and the cause
"$prog" advise "$tmp/missing.rep" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] || bad "missing file: exit status"
grep -q "allocscope: advise $tmp/missing.rep: cannot" "$tmp/err" || bad "missing file: $(cat "$tmp/err")"
printf '100\n2\n3\n1\na 0 8\nq 1\n' >"$tmp/corrupt.rep"
"$prog" advise "$tmp/corrupt.rep" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] || bad "corrupt trace: exit status"
grep -q "not a trace allocscope reads: 6: expected 'a ID BYTES'" "$tmp/err" || bad "corrupt: $(cat "$tmp/err")"
[ -s "$tmp/out" ] && bad "corrupt trace: output on stdout"
"$prog" advise >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] || bad "no file: exit status"
grep -q 'usage: allocscope advise FILE \[--json\]' "$tmp/err" || bad "no file: $(cat "$tmp/err")"
"$prog" advise "$tmp/random.rep" --frobnicate >/dev/null 2>&1
[ $? -eq 2 ] || bad "unknown option: exit status"

# real programs, recorded (when this build has the recorder): each gets an
# advice with figures, and lifetimes in time from the recording's times
if "$prog" --help 2>&1 | grep -q 'allocscope record'; then
    seq 1 20000 | sort -R --random-source=/dev/zero >"$tmp/lines" 2>/dev/null || seq 20000 1 >"$tmp/lines"
    for cmd in "ls -lR /usr/share/doc" "sort $tmp/lines"; do
        name=$(echo "$cmd" | cut -d' ' -f1)
        # shellcheck disable=SC2086
        "$prog" record -o "$tmp/$name.rec" -- $cmd >/dev/null 2>"$tmp/err" || bad "record $cmd: $(cat "$tmp/err")"
        "$prog" advise "$tmp/$name.rec" >"$tmp/wrapped" 2>"$tmp/err" || bad "advise $name.rec: $(cat "$tmp/err")"
        unwrap <"$tmp/wrapped" >"$tmp/out"
        grep -q '^  lifetimes in time: median [0-9]* ns' "$tmp/out" || bad "$name: no lifetimes in time"
        grep -q 'row [0-9]* ([a-z]*): peak memory [0-9]* bytes' "$tmp/out" || bad "$name: the advice cites no row"
        grep -q '^8   glibc  *[0-9]' "$tmp/out" || bad "$name: no glibc row"
    done
    # a truncated recording: advised on what comes before the damage, which is named; exit status 1
    head -c 20000 "$tmp/ls.rec" >"$tmp/cut.rec"
    "$prog" advise "$tmp/cut.rec" >"$tmp/wrapped" 2>"$tmp/err"
    [ $? -eq 1 ] || bad "truncated recording: exit status"
    unwrap <"$tmp/wrapped" | grep -q '^The input is damaged (byte [0-9]*: .*): advised on the operations before' ||
        bad "truncated recording: no damage note"
    grep -q "^allocscope: $tmp/cut.rec: byte [0-9]*: " "$tmp/err" || bad "truncated recording: $(cat "$tmp/err")"
    [ "$(wc -l <"$tmp/err")" -eq 1 ] || bad "truncated recording: one line on stderr, the damage: $(cat "$tmp/err")"
    grep -q '^The advice: ' "$tmp/wrapped" || bad "truncated recording: no advice"
else
    echo "advise_cli: this build has no recorder: real programs skipped"
fi

[ $fail -eq 0 ] && echo "advise_cli: all passed"
exit $fail
