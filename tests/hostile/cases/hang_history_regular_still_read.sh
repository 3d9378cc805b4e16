# issue 14, hangs (the other side of hang_history_fifo): a regular history
# file is still read (now through lineio: its bad lines - a NUL, invalid
# UTF-8, over 4096 bytes - are skipped) and written back at exit.
# Lives in: src/app/repl.c load_history.
{ printf 'alloc 40 as old\n'; printf 'bad\0line\n'; printf 'note \377\n'; } >"$T/hist"
tmux_start live env TERM=xterm-256color ALLOCSCOPE_HISTORY="$T/hist" "$PROG"
tmux_wait 'bump>' 5 || fail "the live view did not open"
tmux_screen | grep -q "history not kept" && fail "a regular history file was refused"
tmux_keys Up
tmux_wait 'alloc 40 as old' 3 || fail "Up does not recall the history file's line"
tmux_keys Enter
tmux_wait 'old' 3 || fail "the recalled line did not run"
tmux_keys 'alloc 8 as new' Enter
sleep 0.3
tmux_keys 'quit' Enter
i=0; while ! grep -q 'alloc 8 as new' "$T/hist" && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
grep -q 'alloc 8 as new' "$T/hist" || fail "the history was not written at exit"
