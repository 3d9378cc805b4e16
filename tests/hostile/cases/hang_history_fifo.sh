# issue 14, hangs: ALLOCSCOPE_HISTORY naming a FIFO hangs the live view at
# start. It opens, says the history is not kept, and works.
# Lives in: src/app/repl.c load_history (lineio), shown by src/app/tui.c.
mkfifo "$T/hist"
tmux_start live env TERM=xterm-256color ALLOCSCOPE_HISTORY="$T/hist" "$PROG"
tmux_wait 'bump>' 5 || fail "the live view did not open with a FIFO as history"
tmux_wait "history not kept: .*FIFO" 2 || fail "the live view does not say the history is not kept"
tmux_keys 'alloc 8' Enter
tmux_wait '#1' 3 || fail "the live view does not work"
tmux_keys 'quit' Enter
sleep 0.5
[ -p "$T/hist" ] || fail "the FIFO was replaced"
