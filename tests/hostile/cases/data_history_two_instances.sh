# issue 14, data: two live views sharing the history file lose one's lines
# (the file is rewritten at exit, not appended to).
# Lives in: src/app/repl.c repl_close (write_history: use append_history).
: >"$T/hist"
tmux_start one env TERM=xterm-256color ALLOCSCOPE_HISTORY="$T/hist" "$PROG"
tmux -S "$TMUX_SOCK" new-window -d -t one -n two env TERM=xterm-256color ALLOCSCOPE_HISTORY="$T/hist" "$PROG"
tmux_wait 'bump>' 5 || fail "the first live view did not open"
sleep 0.5
tmux_keys 'alloc 11' Enter
tmux -S "$TMUX_SOCK" send-keys -t one:two 'alloc 22' Enter
sleep 0.3
tmux_keys 'quit' Enter
tmux -S "$TMUX_SOCK" send-keys -t one:two 'quit' Enter
sleep 1
grep -q 'alloc 11' "$T/hist" || fail "the first view's line was lost"
grep -q 'alloc 22' "$T/hist" || fail "the second view's line was lost"
