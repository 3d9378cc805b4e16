# issue 14, hangs: in the live view `source /dev/stdin` freezes the screen
# (Ctrl-C and Ctrl-D are read as input). It must answer at once.
# Lives in: src/app/session.c cmd_source (lineio_open refuses it).
tmux_start live env TERM=xterm-256color ALLOCSCOPE_HISTORY= "$PROG"
tmux_wait 'bump>' 5 || fail "the live view did not open"
tmux_keys 'source /dev/stdin' Enter
tmux_wait "only regular files|is a character device|is a FIFO" 3 || fail "source /dev/stdin did not answer"
tmux_keys 'alloc 8' Enter
tmux_wait '#1' 3 || fail "the live view is frozen after source /dev/stdin"
