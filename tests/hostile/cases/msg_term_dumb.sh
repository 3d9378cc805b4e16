# issue 14, messages: TERM=dumb started a live view that cannot work. It is
# refused with a message (exit 2); batch mode still works under TERM=dumb.
# Lives in: src/app/main.c live_view_refused.
cat >"$T/run.sh" <<EOS
TERM=dumb "$PROG" >"$T/live.out" 2>"$T/live.err"; echo \$? >"$T/live.rc"
TERM=dumb "$PROG" --play "$T/s.as" >/dev/null 2>>"$T/live.err"; echo \$? >>"$T/live.rc"
EOS
printf 'new bump 64\n' >"$T/s.as"
tmux_start dumb sh "$T/run.sh"
i=0; while [ "$(wc -l <"$T/live.rc" 2>/dev/null || echo 0)" -lt 2 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
tmux_stop
[ "$(sed -n 1p "$T/live.rc")" = 2 ] || fail "the live view under TERM=dumb exits $(sed -n 1p "$T/live.rc"), wanted 2"
[ "$(sed -n 2p "$T/live.rc")" = 2 ] || fail "--play under TERM=dumb exits $(sed -n 2p "$T/live.rc"), wanted 2"
grep -q "TERM=dumb" "$T/live.err" || fail "no message about TERM=dumb"
TERM=dumb run "$PROG" --batch "$T/s.as"
expect_rc 0
