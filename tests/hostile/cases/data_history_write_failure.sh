# issue 14, data: a failure to write the history file was silent. With the
# history in a read-only directory, the live view says it was not saved.
# Lives in: src/app/repl.c repl_close (write_history's status is ignored).
[ "$(id -u)" = 0 ] && { echo "    (as root a read-only directory is writable: checked with /proc instead)"; hist=/proc/version; } || {
    mkdir "$T/ro"; chmod 555 "$T/ro"; hist=$T/ro/hist; }
cat >"$T/run.sh" <<EOS
TERM=xterm-256color ALLOCSCOPE_HISTORY="$hist" "$PROG" 2>"$T/live.err"
echo done >"$T/done"
EOS
tmux_start live sh "$T/run.sh"
tmux_wait 'bump>' 5 || fail "the live view did not open"
tmux_keys 'alloc 8' Enter
sleep 0.2
tmux_keys 'quit' Enter
i=0; while [ ! -f "$T/done" ] && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
grep -qi "history" "$T/live.err" || fail "a failed history write is silent"
