#!/bin/sh
# hostile_test.sh PROG [CASE...] - the hostile-input suite (issue 14): each
# tests/hostile/cases/*.sh gives allocscope bad input and asserts the message,
# the exit status and that the state did not change (see tests/hostile/lib.sh).
#
# tests/hostile/XFAIL lists the cases expected to fail until their fix lands
# (one name a line, then why). A listed case that fails is "xfail"; a listed
# case that PASSES fails the suite, so that the list is emptied as fixes land
# and cannot rot. Exit status: 0 if every case passed or failed as expected.
prog=${1:?usage: tests/hostile_test.sh PROG [CASE...]}
shift
case $prog in /*) ;; *) prog=$(pwd)/$prog ;; esac
[ -x "$prog" ] || { echo "hostile_test: $prog is not a program"; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
dir=$here/hostile
xfail_list=$dir/XFAIL
pass=0 failed=0 xfail=0 xpass=0 bad=""
if [ $# -gt 0 ]; then cases=""; for c in "$@"; do cases="$cases $dir/cases/$c.sh"; done
else cases=$(ls "$dir"/cases/*.sh); fi
tmp=$(mktemp -d /tmp/hostile.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
for f in $cases; do
    name=$(basename "$f" .sh)
    t=$tmp/$name; mkdir -p "$t"
    expected_fail=no
    grep -q "^$name\( \|$\)" "$xfail_list" 2>/dev/null && expected_fail=yes
    ( cd "$t" && PROG=$prog T=$t CASE=$name && . "$dir/lib.sh" && . "$f" ) >"$t/log" 2>&1
    rc=$?
    # a case's tmux server never outlives it
    [ -S "$t/tmux.sock" ] && tmux -S "$t/tmux.sock" kill-server 2>/dev/null
    if [ $rc = 0 ] && [ $expected_fail = no ]; then pass=$((pass + 1))
    elif [ $rc = 0 ]; then xpass=$((xpass + 1)); bad="$bad $name"
        echo "XPASS $name: it passes now - remove it from tests/hostile/XFAIL"
    elif [ $expected_fail = yes ]; then xfail=$((xfail + 1))
        [ -n "$HOSTILE_VERBOSE" ] && { echo "xfail $name"; cat "$t/log"; }
    else failed=$((failed + 1)); bad="$bad $name"
        echo "FAIL  $name"; cat "$t/log"
    fi
done
# a listed name without a case is rot too
for name in $(sed -n 's/^\([A-Za-z0-9_]*\).*/\1/p' "$xfail_list" 2>/dev/null); do
    [ -f "$dir/cases/$name.sh" ] || { echo "XFAIL lists $name, which is no case"; bad="$bad $name"; }
done
echo "hostile: $pass passed, $failed failed, $xfail expected failures, $xpass unexpected passes"
[ -z "$bad" ]
