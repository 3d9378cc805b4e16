# issue 14, memory safety: every fatal path of the live view restores the
# terminal before dying (a crash during --play left it raw). A SIGSEGV, a
# SIGABRT and a SIGTERM sent to a playing scene: after each, the terminal
# is cooked again and the exit status still says the signal.
# Lives in: src/app/tui.c restore_terminal_on_signals.
script scene.as 'new bump 4096' 'alloc 8' 'alloc 16' 'alloc 32'
top=$T
for sig in SEGV ABRT TERM; do
    T=$top/$sig; mkdir -p "$T"; cp "$top/scene.as" "$T/"
    cat >"$T/run.sh" <<EOS
"$PROG" --play "$T/scene.as" --delay 600000 &
echo \$! >"$T/pid"
wait \$!
echo "exit \$?" >"$T/rc"
stty -a >"$T/stty"
sleep 30
EOS
    tmux_start "play$sig" sh "$T/run.sh"
    tmux_wait 'alloc' 5 || fail "the scene did not open"
    kill -"$sig" "$(cat "$T/pid")"
    i=0; while [ ! -s "$T/stty" ] && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
    tmux_stop
    [ -s "$T/stty" ] || fail "SIG$sig: the scene did not end"
    rc=$(cut -d' ' -f2 "$T/rc")
    [ "$rc" -gt 128 ] || fail "SIG$sig: exit status $rc does not say the signal"
    grep -q -- '-icanon' "$T/stty" && fail "SIG$sig: the terminal was left raw (-icanon)"
    grep -q -- '-echo ' "$T/stty" && fail "SIG$sig: the terminal was left without echo"
done
T=$top
:
