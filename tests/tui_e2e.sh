#!/bin/sh
# tui_e2e.sh - the live view end to end, in a real terminal under tmux:
# type commands, read the screen back, resize, complete, recall history,
# play a scene forward and back, and check that quitting restores the
# terminal. Usage: tests/tui_e2e.sh path/to/allocscope
set -u
prog=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
scenes=$(cd "$(dirname "$0")/../scenes" && pwd)
server=0 # each start gets a server of its own: a dying one is never reused
tmp=$(mktemp -d)
pass=0
fail=0
T() { tmux -L "allocscope-e2e-$$-$server" "$@"; }
cleanup() { T kill-server 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

screen() { T capture-pane -p -t e2e; }
# wait_for TEXT: up to 5 s for TEXT to appear on the screen
wait_for() {
    i=0
    while [ $i -lt 50 ]; do
        screen | grep -qF -- "$1" && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}
check() { # check DESCRIPTION TEXT
    if wait_for "$2"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1 (no '$2')"; screen; fi
}
gone() { # gone DESCRIPTION TEXT: TEXT leaves the screen within 5 s
    i=0
    while [ $i -lt 50 ]; do
        if ! screen | grep -qF -- "$2"; then pass=$((pass + 1)); return 0; fi
        sleep 0.1
        i=$((i + 1))
    done
    fail=$((fail + 1)); echo "FAIL: $1 ('$2' still there)"; screen
}
above() { # above DESCRIPTION A B: A is on a line above B
    a=$(screen | grep -nF -- "$2" | head -1 | cut -d: -f1)
    b=$(screen | grep -nF -- "$3" | head -1 | cut -d: -f1)
    if [ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ]; then pass=$((pass + 1))
    else fail=$((fail + 1)); echo "FAIL: $1 ('$2' not above '$3')"; screen; fi
}
type_line() { T send-keys -t e2e -l "$1"; T send-keys -t e2e Enter; }

start() { # start WIDTH HEIGHT COMMAND...
    w=$1 h=$2
    shift 2
    T kill-server 2>/dev/null
    server=$((server + 1))
    i=0
    while [ $i -lt 50 ]; do
        if T new-session -d -s e2e -x "$w" -y "$h" "$@" 2>/dev/null && T has-session -t e2e 2>/dev/null; then
            return 0
        fi
        sleep 0.1
        i=$((i + 1))
    done
    echo "FAIL: tmux would not start"
    fail=$((fail + 1))
}

export ALLOCSCOPE_HISTORY="$tmp/history" TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8

# --- the issue's walk-through -----------------------------------------------
start 110 32 sh -c "'$prog'; stty -a > '$tmp/stty'; echo EXITED; sleep 30"
check "opens on a 4096-byte bump" "bump (bump)  capacity 4096"
type_line "alloc 100 align 8"
check "first block" "#1: 100 bytes at offset 0 (align 8"
check "header offset" "offset 100"
type_line "alloc u64"
check "padding before the u64" "padding 4"
check "table shows the padding" "104      8     8    4 live"
type_line "free"
check "bump ignores free" "noop-free"
type_line "switch pool"
check "pool created" "pool (pool)"
type_line "alloc 24"
check "pool block" "#3: 24 bytes at offset 0 of slab 0"
type_line "reset"
check "reset is one event" "1 block (24 bytes) released at once"
type_line "alloc -5"
check "errors are shown" "error: '-5': negative numbers are not allowed"

# --- completion and history ----------------------------------------------------
T send-keys -t e2e -l "swi"
T send-keys -t e2e Tab
check "tab completes a command" "pool> switch"
T send-keys -t e2e -l "bu"
T send-keys -t e2e Tab Tab
check "tab lists the choices" "buddy bump"
T send-keys -t e2e -l "m"
T send-keys -t e2e Tab
check "tab completes an allocator" "pool> switch bump"
T send-keys -t e2e C-c
check "Ctrl-C cancels the line" "line cancelled"
T send-keys -t e2e Up
check "history recalls the last line" "pool> alloc -5"
T send-keys -t e2e C-u
type_line "switch bump"
check "switch back" "bump (bump)"

# --- a long answer opens over the map and scrolls ---------------------------------
type_line "help"
check "a long answer opens over the map" "answer: lines 1-"
T send-keys -t e2e End
check "End shows its last lines" "leave allocscope"
T send-keys -t e2e Home
check "Home goes back to its first line" "answer: lines 1-27 of "
T send-keys -t e2e Escape
gone "Escape closes it" "answer: lines"

# --- resizing ---------------------------------------------------------------------
T resize-window -t e2e -x 60 -y 20
check "narrow layout still draws the header" "bump (bump)"
T resize-window -t e2e -x 30 -y 8
check "too small says so" "terminal too small"
T resize-window -t e2e -x 110 -y 32
check "back to full size" "allocators:"

# --- quitting restores the terminal --------------------------------------------
T send-keys -t e2e C-d
check "Ctrl-D leaves" "EXITED"
if grep -q -- " icanon" "$tmp/stty" && grep -q -- " echo" "$tmp/stty"; then pass=$((pass + 1))
else fail=$((fail + 1)); echo "FAIL: terminal not restored"; cat "$tmp/stty"; fi
if grep -q "alloc 100 align 8" "$tmp/history"; then pass=$((pass + 1))
else fail=$((fail + 1)); echo "FAIL: history file not written"; fi

# --- a scene forward and back ----------------------------------------------------
cat > "$tmp/scene.as" <<'SCENE'
note First a bump allocator.
new bump 256
alloc 10 as a
alloc 8 align 8 as b
note Now b has 6 bytes of padding before it.
expect block b padding 6
pause
alloc 1 as c
SCENE
start 110 32 sh -c "'$prog' --play '$tmp/scene.as'; echo EXITED; sleep 30"
check "scene opens paused on its first caption" "|| step 1/8"
check "the speed is shown" "step 1/8  1x"
check "the hint line comes from the key table" "space play/pause  <- -> step  [ ] t notes  + - speed  g go to"
T send-keys -t e2e "?"
check "? opens the playback keys" "previous / next note or pause"
T send-keys -t e2e x
gone "any key closes them" "previous / next note or pause"
T send-keys -t e2e Right Right
check "steps forward" "step 3/8"
check "the caption shows" "First a bump allocator."
T send-keys -t e2e Left
check "steps back" "step 2/8"
T send-keys -t e2e "]"
check "jumps to the next note" "step 5/8"
check "caption follows" "Now b has 6 bytes of padding before it."
T send-keys -t e2e +
check "+ plays faster, and says so" "step 5/8  1.5x"
T send-keys -t e2e -
check "- slower again" "step 5/8  1x"
T send-keys -t e2e space
check "space plays; the expect runs silently and it stops at the pause" "|| step 7/8  1x  pause"
T send-keys -t e2e t
check "t lists the notes" "notes of"
check "each with its step" "step 5    Now b has 6 bytes"
T send-keys -t e2e Up Enter
gone "Enter closes the list" "notes of"
check "and goes to the note chosen" "|| step 1/8"
check "its caption" "First a bump allocator."
T send-keys -t e2e "g"
T send-keys -t e2e -l "1"
T send-keys -t e2e Enter
check "go to a step" "step 1/8"
T send-keys -t e2e g Enter
check "g and Enter without a number keeps the step and says why" "no step number given, so it stays at step 1"
check "still at the step" "step 1/8"
T send-keys -t e2e Right Right Right Right Right Right Right Right
check "at the end the prompt opens" "scene finished"
type_line "expect live 3"
check "prompt runs on the final state" "ok: live 3"
type_line "quit"
check "quit leaves" "EXITED"

# --- a resize storm during playback, Ctrl-C, bulk paste ---------------------------
start 110 32 sh -c "'$prog' --play '$tmp/scene.as' --delay 30 --autoplay; echo EXITED; sleep 30"
for size in "20 6" "200 60" "41 12" "30 8" "150 40" "20 6" "80 24" "60 20" "110 32"; do
    set -- $size
    T resize-window -t e2e -x "$1" -y "$2"
    sleep 0.05
done
check "survives a resize storm" "allocators:"
check "playback stops at the pause" "|| step 7/8"
T send-keys -t e2e Right Right
check "the scene ends on the prompt" "scene finished"
awk 'BEGIN { for (i = 1; i <= 150; i++) printf "alloc 1 as p%d\n", i }' > "$tmp/paste"
T load-buffer -t e2e "$tmp/paste"
T paste-buffer -t e2e
check "bulk paste runs every line" "#153 p150: 1 byte"
type_line "expect live 153"
check "nothing was lost" "ok: live 153"
# one pasted line of 10,000 characters: drawn once it is all read, not a
# frame a character (that took minutes); wait_for allows 5 s, the
# quadratic path needed 26 s for 2,000 characters
awk 'BEGIN { printf "#"; for (i = 0; i < 9996; i++) printf "x"; printf "END" }' > "$tmp/long"
T load-buffer -t e2e "$tmp/long"
T paste-buffer -t e2e
check "a pasted 10,000-character line appears whole, its end in sight" "xxxxEND"
T send-keys -t e2e C-u
gone "and goes" "xxxxEND"
type_line "quit"
check "quit after the storm" "EXITED"

start 110 32 sh -c "'$prog' --play '$tmp/scene.as' --delay 100000; echo EXITED; sleep 30"
check "the scene opens (keys before that would meet a cooked terminal)" "step 1/8"
T send-keys -t e2e space
T send-keys -t e2e C-c
check "Ctrl-C pauses playback" "|| step"
T send-keys -t e2e q
check "q leaves playback" "EXITED"

# --- a malloc-lab trace plays like a scene ------------------------------------
"$prog" --gen-trace coalescing --seed 2 --ops 40 > "$tmp/t.rep"
start 110 32 sh -c "'$prog' --trace '$tmp/t.rep' --delay 100000; echo EXITED; sleep 30"
check "a trace opens like a scene, on its caption" "step 2/42"
T send-keys -t e2e Right Right Right
check "a trace steps like a scene" "step 5/42"
check "its blocks are named after the ids" "t0"
T send-keys -t e2e Left
check "and steps back" "step 4/42"
T send-keys -t e2e q
check "q leaves the trace" "EXITED"

# --- a long trace at the prompt shows its progress and stops on Ctrl-C ------
"$prog" --gen-trace coalescing --seed 3 --ops 8000000 > "$tmp/big.rep"
start 120 32 sh -c "'$prog'; echo EXITED; sleep 30"
check "opens for the trace" "bump (bump)"
type_line "new freelist 64M"
type_line "trace $tmp/big.rep"
check "a long trace shows how far it is" "Ctrl-C stops"
T send-keys -t e2e -l "blocks"
T send-keys -t e2e C-c
check "Ctrl-C stops the trace between operations" "stopped after"
check "what was typed meanwhile waits at the prompt" "freelist> blocks"
T send-keys -t e2e C-u
type_line "check"
check "the state is whole after the stop" "every invariant of freelist holds"
type_line "quit"
check "quit after the trace" "EXITED"

# --- show addresses: the map's rows and the table follow ----------------------
start 120 35 sh -c "'$prog'; echo EXITED; sleep 30"
check "opens" "bump (bump)"
type_line "free"
type_line "alloc 10 as a"
type_line "free a"
type_line "alloc 8 as b"
check "the table lists offsets" "block       offset   size align"
check "live blocks first" "b               10      8     1    0 live"
above "then the freed ones" "b               10      8" "a                0     10"
type_line "show addresses"
check "the table lists addresses" "block             address   size  pad state"
check "the map's rows are labelled by address" " …"
type_line "quit"
check "quit leaves" "EXITED"

# --- keys whose escape sequences TERM does not list are read whole -----------
# tmux sends ESC [ 1 ~ and ESC [ 4 ~ for Home and End; xterm-256color says
# ESC O H and ESC O F: no byte of them may reach the line
start 110 32 env TERM=xterm-256color sh -c "'$prog'; echo EXITED; sleep 30"
check "opens under xterm-256color" "bump (bump)"
type_line "help"
check "the long answer opens" "answer: lines 1-"
T send-keys -t e2e End
check "End scrolls to its end" "leave allocscope"
T send-keys -t e2e Home
check "Home scrolls to its start" "answer: lines 1-27 of "
T send-keys -t e2e Escape
gone "Escape closes it" "answer: lines"
T send-keys -t e2e -l "alloc 12"
T send-keys -t e2e Home
T send-keys -t e2e -l "# "
T send-keys -t e2e End
T send-keys -t e2e -l "3"
check "Home and End edit the line, nothing leaks into it" "bump> # alloc 123"
T send-keys -t e2e C-u
T send-keys -t e2e F1
check "F1 opens the help from the key table" "at the prompt"
check "it lists the prompt's keys" "Tab          complete"
T send-keys -t e2e x
gone "any key closes the help" "at the prompt"
type_line "quit"
check "quit leaves" "EXITED"

# --- a lecture at 80x24: whole captions, warnings newest first, said once ------
start 80 24 sh -c "'$prog' --play '$scenes/10_freelist_vs_bump.as' --delay 100000; echo EXITED; sleep 30"
check "scene 10 opens" "|| step 1/"
T send-keys -t e2e g
T send-keys -t e2e -l "28"
T send-keys -t e2e Enter
check "a long caption wraps" "Fragmentation: b's 80-byte hole is free"
check "and is shown to its end" "and use the tail at 256."
check "the newest warning shows in a small pane, cut and marked" "17 [bump] noop-free: free of d"
check "with the count of the rest" "(1 older not shown)"
T send-keys -t e2e q
check "q leaves" "EXITED"
# whole_answer W H SCENE STEP FIRST LAST: at step STEP of SCENE the answer's
# first and last lines are both on screen
whole_answer() {
    start "$1" "$2" sh -c "'$prog' --play '$scenes/$3.as' --delay 100000; echo EXITED; sleep 30"
    check "$3 opens at $1x$2" "|| step 1/"
    T send-keys -t e2e g
    T send-keys -t e2e -l "$4"
    T send-keys -t e2e Enter
    check "$3 step $4 at $1x$2: its answer starts" "$5"
    check "$3 step $4 at $1x$2: and ends" "$6"
    T send-keys -t e2e q
    check "q leaves" "EXITED"
}
for size in "120 35" "80 24"; do
    set -- $size
    whole_answer "$1" "$2" 08_exercise2_counting 19 "capacity       4096 bytes" "remap, 4 free"
    whole_answer "$1" "$2" 11_use_after_free 21 "+0000 !43!43!43!43 dd" "fd fd fd fd fd fd fd fd fd fd fd fd fd fd fd fd"
    whole_answer "$1" "$2" 13_struct_padding 3 "struct Entity: 20 bytes" "(tail padding: the size rounds up"
done
for size in "120 35" "80 24"; do
    set -- $size
    start "$1" "$2" sh -c "'$prog' --play '$scenes/04_debug_allocator.as' --delay 100000; echo EXITED; sleep 30"
    check "scene 04 opens at $1x$2" "|| step 1/"
    T send-keys -t e2e g
    T send-keys -t e2e -l "25"
    T send-keys -t e2e Enter
    check "stats answers at $1x$2" "answer of step 25: stats"
    check "its first line is on screen" "capacity       8192 bytes"
    check "and its last" "300 freed, peak usage 500"
    T send-keys -t e2e Right
    check "a pause follows" "step 26/"
    T send-keys -t e2e z
    check "z zooms in during playback: the map scrolls" "rows 1-"
    T send-keys -t e2e f
    gone "f goes back to fit" "rows 1-"
    check "the answer stays over the pause" "debug-bump     1 active, 500 allocated"
    T send-keys -t e2e q
    check "q leaves" "EXITED"
done
start 120 35 sh -c "'$prog' --play '$scenes/11_use_after_free.as' --delay 100000; echo EXITED; sleep 30"
check "scene 11 opens" "|| step 1/"
T send-keys -t e2e g
T send-keys -t e2e -l "20"
T send-keys -t e2e Enter
check "the warnings say newest first" "warnings (2) newest first"
check "the map shows the part in use: 80 bytes of 1024 fill rows of 16" "    128  ... to 1024: not used yet"
T send-keys -t e2e w
check "w shows the whole buffer" "    960  "
T send-keys -t e2e w
check "and w again the part in use" "... to 1024: not used yet"
check "the kind is said once" "18 use-after-free: other"
gone "never twice" "use-after-free: use after free"
above "the newest warning comes first" "18 use-after-free" "8 overflow: a write"
T send-keys -t e2e q
check "q leaves" "EXITED"

# --- predict, then reveal: an ask waits before the step that answers it ------
start 120 35 sh -c "'$prog' --play '$scenes/10_freelist_vs_bump.as' --autoplay --delay 50; echo EXITED; sleep 30"
check "autoplay plays until a pause" "|| step 25/"
check "the pause keeps bins' answer on screen" "[80: 80] -> [240: 784]"
check "d merged into the free space after it: the heap's map draws 240 to 1024 as one freed block" "    896  ░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░"
check "the heap's free list in order in its map: the head at 80, then 240" "████1HHHHHHHLLLLLLLL░░░░░░░░"
T send-keys -t e2e space
check "space plays on to the question" "Predict: A 200-byte request comes next."
check "playback waits on it" "|| step 26/"
check "the lecturer is told how to go on" "predict, then space or -> reveals the answer"
gone "the answer is not on screen yet" "big: 200 bytes"
T send-keys -t e2e space
check "a key reveals it" "big: 200 bytes at offset 256"
check "with the note that explains it, and stays there" "|| step 28/"
check "its caption" "Fragmentation: b's 80-byte hole is free"
check "free blocks are numbered in their list's order" "1 place in its free list (1: the head)"
check "b's hole is the head of the heap's free list" "████1HHHHHHHLLLLLLLL"
check "the tail after big is the second" "~~~~2HHHHHHHLLLLLLLL"
check "a warning says whose allocator it is" "[bump] noop-free"
T send-keys -t e2e c
gone "c hides the side table (in a comparison, the figures side by side)" "compare        heap      bump"
T send-keys -t e2e c
check "and shows it again" "compare        heap      bump"
T send-keys -t e2e q
check "q leaves" "EXITED"

# --- scenes and play at the prompt; a shipped scene by name from anywhere ----
start 120 35 sh -c "cd / && '$prog'; echo EXITED; sleep 30"
check "opens" "bump (bump)"
type_line "scenes"
check "scenes lists the shipped scenes" "02_alignment             alignment - where padding comes from"
T send-keys -t e2e Escape
type_line "play 13_struct_padding"
check "play opens the scene, paused on its first caption" "|| step 1/"
check "its caption" "The tutorial's Entity"
T send-keys -t e2e q
check "q leaves" "EXITED"
start 120 35 sh -c "cd / && '$prog' --play 02_alignment --clean; echo EXITED; sleep 30"
check "--play takes a shipped scene's name" "alignForward(offset, align) rounds up"
gone "--clean hides the warnings" "warnings (0)"
T send-keys -t e2e q
check "q leaves" "EXITED"

# --- golden screens: scene 04 at the pause after stats, at 120x35 and 80x24 --
# (what each layout shows; README's live view section says why). The
# screen must equal tests/golden/screen_WxH.txt; ALLOCSCOPE_UPDATE_GOLDEN=1
# writes it anew (then look at it before committing).
golden=$(cd "$(dirname "$0")/golden" && pwd)
for size in "120 35" "80 24"; do
    set -- $size
    start "$1" "$2" sh -c "'$prog' --play '$scenes/04_debug_allocator.as'; echo EXITED; sleep 30"
    check "scene 04 opens at $1x$2 for its golden screen" "|| step 1/"
    T send-keys -t e2e g
    T send-keys -t e2e -l "26"
    T send-keys -t e2e Enter
    check "at the pause after stats" "|| step 26/34"
    sleep 0.3
    screen > "$tmp/screen_$1x$2.txt"
    if [ "${ALLOCSCOPE_UPDATE_GOLDEN:-}" = 1 ]; then cp "$tmp/screen_$1x$2.txt" "$golden/screen_$1x$2.txt"; fi
    if diff -u "$golden/screen_$1x$2.txt" "$tmp/screen_$1x$2.txt"; then pass=$((pass + 1))
    else fail=$((fail + 1)); echo "FAIL: the $1x$2 screen differs from tests/golden/screen_$1x$2.txt"; fi
    T send-keys -t e2e q
    check "q leaves" "EXITED"
done

# --- an answer wider than the screen is wrapped, not cut (help new at 80x24) --
start 80 24 sh -c "'$prog'; echo EXITED; sleep 30"
check "the view opens at 80x24" "allocators:"
T send-keys -t e2e "help new" Enter
check "the overlay opens for it" "answer: lines 1-"
check "a kind's description goes on past the edge, wrapped" "forward, no resize"
check "the overlay's heading says its keys whole at 80 columns" "scroll, other keys close"
T send-keys -t e2e q
T send-keys -t e2e C-d
check "Ctrl-D leaves" "EXITED"

# --- a step's command is said whole: the key hints give way, and a command
# wider than the line is cut with a mark (a cut "align 1" said a false thing)
cat > "$tmp/long.as" <<'SCENE'
new freelist 65536
alloc 4096 align 16 as a_long_name
alloc 1024 align 16 as thirty_one_characters_in_a_name
SCENE
for size in "120 35 thirty_one_characters_in_a_name" "80 24 thirty_one_characters_in_a"; do
    set -f
    set -- $size
    set +f
    start "$1" "$2" sh -c "'$prog' --play '$tmp/long.as'; echo EXITED; sleep 30"
    check "scene opens at $1x$2" "|| step 0/3"
    T send-keys -t e2e Right Right
    check "the command whole at $1x$2" "alloc 4096 align 16 as a_long_name "
    check "the keys give way to it at $1x$2" "<- -> step  ? keys"
    T send-keys -t e2e Right
    check "the longer command at $1x$2" "alloc 1024 align 16 as $3"
    if [ "$1" = 80 ]; then check "cut with a mark at $1x$2" "${3}…"; fi
    T send-keys -t e2e q
    check "q leaves" "EXITED"
done

# --- a lesson without colours, in ASCII: badges, caption and answer whole ---
# the head of the heap's free list: b's hole at 80, its header (H) and link
# (L) at 2 bytes a cell at 120x35, at 8 at 80x24
for size in "120 35 ###1HHHHHHHLLLLLLLLxxx" "80 24 a#######1HLLxxx"; do
    set -- $size
    start "$1" "$2" env NO_COLOR=1 sh -c "'$prog' --ascii --play '$scenes/10_freelist_vs_bump.as'; echo EXITED; sleep 30"
    check "scene 10 opens in ASCII at $1x$2" "|| step 1/"
    T send-keys -t e2e g
    T send-keys -t e2e -l "28"
    T send-keys -t e2e Enter
    check "the head of the free list in ASCII at $1x$2" "$3"
    check "the caption at $1x$2" "but a 200-byte request must skip it"
    check "the answer at $1x$2" "big: 200 bytes at offset 256"
    T send-keys -t e2e q
    check "q leaves" "EXITED"
done

# --- no colours, no UTF-8: the glyphs carry the meaning alone --------------
start 100 30 env NO_COLOR=1 LANG=C LC_ALL=C sh -c "'$prog'; echo EXITED; sleep 30"
check "opens without colours" "bump (bump)"
type_line "alloc 3 as ab"
type_line "alloc 8 align 64 as cd"
check "ASCII map with padding" "0  ////////////////cd...."
type_line "new bump 64"
type_line "alloc 3 as ab"
type_line "alloc 8 align 8 as cd"
check "a small buffer: 16 bytes a row, 4 columns a byte" "0  ab##########////////////////////cd"
check "rows start at aligned offsets" "     16  ......"
# what the last step changed is underlined (ESC [ ... 4 m) in the map's row
map_row_underlined() { T capture-pane -p -e -t e2e | grep -F "////" | grep -q "$(printf '\033')\[[0-9;]*4m"; }
if map_row_underlined; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: the change is not underlined"; fi
type_line "blocks"
check "a query answers over the map" "answer: lines 1-4"
T send-keys -t e2e Escape
gone "Escape closes it" "answer: lines"
if map_row_underlined; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: a query dropped the change"; fi
type_line "zoom 2"
check "the map is at 2 bytes a cell" "2 B/cell"
if map_row_underlined; then fail=$((fail + 1)); echo "FAIL: a new zoom shows changes"; else pass=$((pass + 1)); fi
type_line "quit"
check "quit leaves" "EXITED"

# --- a stop signal leaves as quit does; a crash restores the terminal ------
# (in the foreground, the terminal on every descriptor; tests/hostile's
# mem_fatal_signal_restores_terminal plays a scene in the background)
for sig in TERM:143 SEGV:139; do
    name=${sig%%:*} status=${sig##*:}
    start 100 30 env ALLOCSCOPE_HISTORY="$tmp/hist$name" sh -c "'$prog'; echo EXIT=\$?; stty -a | tr ' ' '\\n' | grep -x -e icanon -e echo | tr '\\n' ' '; echo; sleep 30"
    check "SIG$name: the live view is up" "capacity 4096"
    type_line "alloc 24 as sig"
    check "SIG$name: the command ran" "sig: 24 bytes"
    kill -"$name" $(pgrep -P "$(T list-panes -t e2e -F '#{pane_pid}')" -x allocscope) 2>/dev/null
    check "SIG$name: the exit status says so" "EXIT=$status"
    check "SIG$name: the terminal modes are back" "icanon echo"
done
if grep -qx "alloc 24 as sig" "$tmp/histTERM" 2>/dev/null; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: SIGTERM lost the history"; fi

echo "tui: $pass passed, $fail failed"
[ "$fail" = 0 ]
