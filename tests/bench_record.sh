#!/bin/sh
# bench_record.sh - what the recorder costs a program: the CPU time (user +
# system, best of 7, the two in turn) of each program alone and under the
# recorder (the interposer writing its raw stream, as during `allocscope
# record`), their
# ratio, and then the whole `allocscope record` (with the conversion into a
# recording), the recording's bytes per event and how fast it replays
# headless on a free list (`--trace REC --on "freelist 4096 grow"
# --batch`: operations per CPU second of the whole command, reading and
# replaying, best of 5; "-" for a recording too short to time). For
# `make bench-record`.
#   churn      tests/record/churn.c: nothing but malloc/free (the worst case)
#   churn-2t   the same in 2 threads, half the rounds each (each thread's
#              blocks in a region of its own: no locked instruction)
#   perl       a hash of 200,000 strings built and its keys sorted (perl
#              uses malloc for everything: about 1,000,000 calls)
#   python3    300,000 bytes objects of 600..1100 bytes (past pymalloc's
#              512-byte limit, so each is a malloc and a free)
#   python3-3t three threads, each keeping 5,000 such objects in a dict and
#              making strings (the recorder's threads: chunks merged)
#   sort       300,000 lines (few, large allocations: the recorder's floor)
# Usage: tests/bench_record.sh path/to/allocscope
set -u
prog=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
build=$(dirname "$prog")
lib=$build/liballocscope_record.so
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/raw"
py=/usr/bin/python3
[ -x "$py" ] || py=$(python3 -c 'import sys; print(sys.executable)')
seq 300000 -1 1 | sed 's/$/ a line to sort/' >"$tmp/lines.txt"

# pair CMD...: the best user+system seconds of 7 runs of CMD alone and
# of 7 under the recorder, the two taken in turn (this shared machine's
# speed drifts: runs far apart differ more than the recorder's cost); the
# child's rusage, read by python3, and only the child gets the recorder
pair() {
    python3 -c '
import os, resource, subprocess, sys
raw, lib, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
best = {"alone": 1e9, "recorded": 1e9}
for i in range(7):
    for mode in ("alone", "recorded"):
        for f in os.listdir(raw):
            os.unlink(os.path.join(raw, f))
        env = dict(os.environ)
        if mode == "recorded":
            env.update(ALLOCSCOPE_RECORD_DIR=raw, LD_PRELOAD=lib)
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        r = resource.getrusage(resource.RUSAGE_CHILDREN)
        best[mode] = min(best[mode], r.ru_utime - r0.ru_utime + r.ru_stime - r0.ru_stime)
print("%.3f %.3f" % (best["alone"], best["recorded"]))' "$tmp/raw" "$lib" "$@"
}

# cpu CMD...: the best user+system seconds of 5 runs of CMD
cpu() {
    python3 -c '
import resource, subprocess, sys
best = 1e9
for i in range(5):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    best = min(best, r.ru_utime - r0.ru_utime + r.ru_stime - r0.ru_stime)
print("%.3f" % best)' "$@"
}

printf '%-10s %9s %10s %7s %10s %9s %11s %9s\n' program "alone s" "recorded s" ratio "events" "record s" "bytes/event" "replay/s"
bench() {
    name=$1
    shift
    both=$(pair "$@")
    alone=${both% *}
    rec=${both#* }
    start=$(date +%s.%N)
    "$prog" record -o "$tmp/$name.rec" -- "$@" >/dev/null 2>"$tmp/$name.sum"
    end=$(date +%s.%N)
    events=$(sed -n "s/.*-> $(echo "$tmp/$name.rec" | sed 's/[/.]/\\&/g'): \([0-9]*\) events.*/\1/p" "$tmp/$name.sum")
    bpe=$(sed -n "s/.*-> $(echo "$tmp/$name.rec" | sed 's/[/.]/\\&/g'): .*, \([0-9.]*\) bytes per event/\1/p" "$tmp/$name.sum")
    ops=$(sed -n 3p "$tmp/$name.rec")
    replay=$(cpu "$prog" --trace "$tmp/$name.rec" --on "freelist 4096 grow" --batch)
    awk -v n="$name" -v a="$alone" -v r="$rec" -v e="$events" -v s="$end" -v b="$start" -v p="$bpe" -v o="$ops" \
        -v y="$replay" 'BEGIN { rate = (o < 10000 || y <= 0) ? "-" : sprintf("%.2fM", o / y / 1e6)
                                printf "%-10s %9.3f %10.3f %6.2fx %10s %9.2f %11s %9s\n", n, a, r, (a > 0 ? r / a : 0), e,
                                s - b, p, rate }'
}

[ -x "$build/tests/record/churn" ] || { echo "bench_record: build $build/tests/record/churn first (make bench-record)"; exit 1; }
bench churn "$build/tests/record/churn" 2000000
bench churn-2t "$build/tests/record/churn" 1000000 4096 1025 2
bench perl perl -e 'my %h; $h{$_} = "x" x ($_ % 100) for 1..200000; my @k = sort keys %h;'
bench python3 "$py" -c 'l = [bytes(600 + i % 500) for i in range(300000)]; del l'
bench python3-3t "$py" -c '
import threading
def work(n):
    d = {}
    for i in range(n):
        d[i % 5000] = bytes(600 + i % 700)
        if i % 3 == 0:
            s = str(i) * 50
ts = [threading.Thread(target=work, args=(150000,)) for _ in range(3)]
[t.start() for t in ts]
[t.join() for t in ts]'
bench sort sort "$tmp/lines.txt"
