#!/bin/sh
# bench_smoke.sh - the benchmark runs and says what it measured: its JSON
# parses, every figure is a positive number, and the scale figures that
# issue goals name are all there. Timings are not judged here (a benchmark,
# not a timed test).
# Usage: tests/bench_smoke.sh path/to/allocscope
set -eu
prog=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$prog" bench W1 --json > "$tmp/w1.json"
ALLOCSCOPE_BENCH_OPS=200000 "$prog" bench scale --json > "$tmp/scale.json"
python3 - "$tmp/w1.json" "$tmp/scale.json" <<'PY'
import json, sys
w1 = json.load(open(sys.argv[1]))
scale = json.load(open(sys.argv[2]))
assert w1 and all(r["workload"].startswith("W1") and r["median_ns"] > 0 for r in w1), w1
assert any(r["allocator"].startswith("malloc") for r in w1), "W1 has no malloc baseline"
names = [r["figure"] for r in scale]
for want in ("replay of a 1,000,000-command script", "frame of 200x50, 1 GiB bump",
             "frame of 200x50, 64 MiB freelist", "frame of 200x50, 1 GiB arena",
             "written to the terminal per frame", "one step back", "session tracking per live block",
             "headless trace replay, freelist growing", "on bump 1 GiB", "on pool", "on buddy",
             "resident memory per trace event", "g to a random step", "a step back, ten in a row",
             "one name reused 100,000 times", "one failed allocation", "with verdicts", "freelist 1 GiB",
             "growable freelist", "as a real program's recording"):
    assert any(want in n for n in names), "missing figure: " + want
for r in scale:
    assert r["value"] > 0, r
print("bench: %d W1 rows and %d scale figures, all present" % (len(w1), len(scale)))
PY
