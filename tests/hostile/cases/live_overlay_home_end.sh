# issue 14, live view: Home/End in an overlay leaked "[4~" into the next
# command under TERM=xterm-256color in tmux. Escape sequences are consumed
# whole: after Home and End over a long answer, the prompt is empty.
# Lives in: src/app/tui.c (overlay keys) / src/app/repl.c key handling
# (helper "looks").
tmux_start live env TERM=xterm-256color ALLOCSCOPE_HISTORY= "$PROG"
tmux_wait 'bump>' 5 || fail "the live view did not open"
tmux_keys 'help' Enter
sleep 0.5
tmux_keys Home End Home End
sleep 0.3
tmux_keys Escape
sleep 0.3
tmux_keys 'alloc 8' Enter
tmux_wait '#1' 3 || fail "alloc 8 after Home/End did not run"
tmux_screen | grep -Eq '\[[0-9]~|\[[HF]|~alloc' && { tmux_screen | tail -5; fail "an escape sequence leaked into the line"; }
tmux_screen | grep -q "unknown command" && fail "the keys reached the command line"
:
