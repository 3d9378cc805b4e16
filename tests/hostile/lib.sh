# lib.sh - what every hostile-input case uses (sourced by tests/hostile_test.sh
# into a subshell per case, with PROG, T (a fresh directory) and CASE set).
#
# A case runs allocscope on bad input and asserts three things: the message
# (expect_err / expect_out), the exit status (expect_rc) and that the state
# is what it was before the bad input (expect_state_of SETUP: the final JSON
# of the run equals the final JSON of SETUP alone). Each run is bounded by
# HOSTILE_TIMEOUT seconds: a hang fails the case.

HOSTILE_TIMEOUT=${HOSTILE_TIMEOUT:-10}

fail() { echo "    $CASE: $*"; exit 1; }

# run CMD...: runs it with stdin from /dev/null (unless STDIN is set to a
# file), stdout to $T/out, stderr to $T/err; sets RC. Fails on a hang and on
# a death by signal (a crash is never an answer).
run() {
    timeout -k 2 "$HOSTILE_TIMEOUT" "$@" <"${STDIN:-/dev/null}" >"$T/out" 2>"$T/err"
    RC=$?
    [ "$RC" = 124 ] || [ "$RC" = 137 ] && fail "hangs (killed after $HOSTILE_TIMEOUT s): $*"
    [ "$RC" -gt 128 ] && { tail -5 "$T/err"; fail "dies by signal $((RC - 128)): $*"; }
    return 0
}

# batch FILE [ARGS...]: the script FILE in batch mode, final state as JSON.
batch() { f=$1; shift; run "$PROG" --batch "$f" --json --quiet "$@"; }

# script NAME LINES...: writes the lines to $T/NAME (printf %b: \0, \n work).
script() { n=$1; shift; : >"$T/$n"; for l in "$@"; do printf '%b\n' "$l" >>"$T/$n"; done; }

expect_rc() { [ "$RC" = "$1" ] || { sed 's/^/      /' "$T/err" | head -8; fail "exit status $RC, wanted $1"; }; }
expect_err() { grep -Eq -- "$1" "$T/err" || { sed 's/^/      /' "$T/err" | head -8; fail "stderr does not say /$1/"; }; }
expect_out() { grep -Eq -- "$1" "$T/out" || { sed 's/^/      /' "$T/out" | head -8; fail "stdout does not say /$1/"; }; }
expect_no() { ! grep -Eq -- "$1" "$T/out" "$T/err" || fail "the output says /$1/ and must not"; }

# state: the last line of the last run's stdout (the JSON of --json).
state() { tail -n 1 "$T/out"; }

# expect_state_of SETUP: the last run ended in the state SETUP alone gives.
expect_state_of() {
    state >"$T/after.json"
    cp "$T/out" "$T/out.kept"; cp "$T/err" "$T/err.kept"; rc_kept=$RC
    batch "$1"
    state >"$T/before.json"
    mv "$T/out.kept" "$T/out"; mv "$T/err.kept" "$T/err"; RC=$rc_kept
    grep -q '^{' "$T/before.json" || fail "the setup $1 gives no JSON state"
    cmp -s "$T/before.json" "$T/after.json" || {
        diff "$T/before.json" "$T/after.json" | head -4 | cut -c1-300
        fail "the bad input changed the state"
    }
}

# tmux_start NAME CMD...: the live view in a detached tmux session of its own
# (a private server socket), 100x30. tmux_screen prints the pane.
tmux_start() {
    command -v tmux >/dev/null || fail "tmux is not installed (make deps)"
    TMUX_SOCK="$T/tmux.sock"; TMUX_NAME=$1; shift
    tmux -S "$TMUX_SOCK" -f /dev/null new-session -d -s "$TMUX_NAME" -x 100 -y 30 "$@"
}
tmux_screen() { tmux -S "$TMUX_SOCK" capture-pane -p -t "$TMUX_NAME" 2>/dev/null; }
tmux_keys() { tmux -S "$TMUX_SOCK" send-keys -t "$TMUX_NAME" "$@"; }
tmux_stop() { tmux -S "$TMUX_SOCK" kill-server 2>/dev/null; }
# tmux_wait REGEX [SECONDS]: waits until the pane shows REGEX.
tmux_wait() {
    i=0; while [ $i -lt $((${2:-5} * 10)) ]; do tmux_screen | grep -Eq -- "$1" && return 0; sleep 0.1; i=$((i + 1)); done
    tmux_screen | sed 's/^/      /' | head -30; return 1
}
