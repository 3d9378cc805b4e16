#!/bin/sh
# tui_monkey.sh - random keys into the live view under tmux: half-formed
# commands, editing and control keys, scrolling, playback keys and terminal
# resizes, as fast as a bored student types. Run it on the sanitizer build:
# it fails if the view dies or a sanitizer reports anything.
# Usage: tests/tui_monkey.sh path/to/allocscope SECONDS SEED [ARGS...]
set -u
prog=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
secs=$2
seed=$3
shift 3
tmp=$(mktemp -d)
T() { tmux -L "allocscope-monkey-$$" "$@"; }
trap 'T kill-server 2>/dev/null; rm -rf "$tmp"' EXIT

T new-session -d -s m -x 120 -y 35 \
    "ASAN_OPTIONS=detect_leaks=0:log_path=$tmp/asan UBSAN_OPTIONS=print_stacktrace=1:log_path=$tmp/ubsan \
     ALLOCSCOPE_HISTORY=$tmp/history '$prog' $*; echo EXITED; sleep 600"
i=0
until T capture-pane -p -t m | grep -q "allocators:\|no allocator yet\|step [0-9]*/"; do
    i=$((i + 1))
    [ $i -lt 100 ] || { echo "FAIL: the live view did not open"; T capture-pane -p -t m; exit 1; }
    sleep 0.1
done

python3 - "$secs" "$seed" <<'PY' | while IFS=' ' read -r kind arg; do
import random, sys, time
secs, seed = float(sys.argv[1]), int(sys.argv[2])
random.seed(seed)
words = ["alloc", "free", "resize", "realloc", "new", "switch", "reset", "undo", "help", "blocks", "stats",
         "zoom", "show", "write", "read", "try", "bins", "check", "struct", "layout", "expect", "note",
         "bump", "pool", "arena", "freelist", "buddy", "debug", "stack", "fixed", "counting", "1", "16",
         "4096", "align", "8", "as", "a", "b", "fit", "1M", "-3", "}", "{", "u32", "x", "#1", "\"hi\"", "over",
         "addresses", "offsets"]
# escape sequences whole, cut short, unknown, and Alt-keys: none may leak into the line or hang the view
raw = ["\x1b[4~", "\x1b[1~", "\x1b[H", "\x1bOF", "\x1b[1;5C", "\x1b[", "\x1bO", "\x1b[99999999999~",
       "\x1bb", "\x1b\x1b[A", "\x1b[200~paste\x1b[201~"]
keys = ["Enter", "Tab", "BSpace", "Up", "Down", "Left", "Right", "PPage", "NPage", "Home", "End",
        "Escape", "C-a", "C-e", "C-u", "C-k", "C-w", "C-l", "C-c", "F1", "space", "?", "g", "]", "[", "+", "-"]
end = time.time() + secs
while time.time() < end:
    r = random.random()
    if r < 0.5:
        print("text", " ".join(random.choice(words) for _ in range(random.randint(1, 5))), flush=True)
        print("key Enter", flush=True)
    elif r < 0.90:
        print("key", random.choice(keys), flush=True)
    elif r < 0.96:
        print("raw", random.choice(raw), flush=True)
    else:
        print("resize", random.randint(15, 200), random.randint(5, 60), flush=True)
    time.sleep(0.01)
PY
    case $kind in
        text) T send-keys -t m -l -- "$arg" ;;
        key) T send-keys -t m "$arg" ;;
        raw) T send-keys -t m -l -- "$arg" ;;
        resize) set -- $arg; T resize-window -t m -x "$1" -y "$2" ;;
    esac
done
T resize-window -t m -x 120 -y 35
sleep 1
status=0
if T capture-pane -p -t m | grep -q EXITED; then
    echo "FAIL: the live view left (seed $seed)"; T capture-pane -p -t m; status=1
fi
if ls "$tmp"/asan* "$tmp"/ubsan* >/dev/null 2>&1; then
    echo "FAIL: sanitizer reports (seed $seed)"; cat "$tmp"/asan* "$tmp"/ubsan* 2>/dev/null; status=1
fi
[ $status = 0 ] && echo "monkey: ${secs} s of random keys (seed $seed, $*): the view lives, no sanitizer report"
exit $status
