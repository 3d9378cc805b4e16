# issue 14, memory safety: a fatal path during --play leaves the terminal
# raw; every fatal path restores it. The scene is the crash above; after
# allocscope ends (however it ends) the terminal must be cooked again.
# Lives in: src/app/tui.c (signal handlers / atexit restore_terminal) and
# the crash itself in src/app/commands.c cmd_write.
script scene.as 'new debug over freelist 4096' 'alloc 64 as a' 'reset' \
    'write a "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"' 'alloc 8' 'alloc 100' 'alloc 200' 'alloc 300'
cat >"$T/run.sh" <<EOS
"$PROG" --play "$T/scene.as" --delay 1
echo "exit \$?" >"$T/rc"
stty -a >"$T/stty"
sleep 30
EOS
tmux_start play sh "$T/run.sh"
i=0; while [ ! -s "$T/stty" ] && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); tmux_keys q; done
tmux_stop
[ -s "$T/stty" ] || fail "the scene did not end"
rc=$(cut -d' ' -f2 "$T/rc")
[ "$rc" -lt 128 ] || fail "allocscope died by signal $((rc - 128)) during --play"
grep -q -- '-icanon' "$T/stty" && fail "the terminal was left raw (-icanon)"
grep -q -- '-echo ' "$T/stty" && fail "the terminal was left without echo"
:
