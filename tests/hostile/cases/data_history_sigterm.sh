# issue 14, data: nothing of the history was saved on SIGTERM or SIGHUP.
# Lives in: src/app/tui.c (signal handling) / src/app/repl.c (writing).
: >"$T/hist"
tmux_start live env TERM=xterm-256color ALLOCSCOPE_HISTORY="$T/hist" "$PROG"
tmux_wait 'bump>' 5 || fail "the live view did not open"
tmux_keys 'alloc 33' Enter
sleep 0.3
pid=$(tmux -S "$TMUX_SOCK" list-panes -t live -F '#{pane_pid}')
kill -TERM "$pid" 2>/dev/null
sleep 1
grep -q 'alloc 33' "$T/hist" || fail "the history was not saved on SIGTERM"
