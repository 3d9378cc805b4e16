# issue 14: a trace whose header asks for more than 1 GiB silently ran on
# the default bump. It is refused (or its heap sized and said), never run
# silently on another allocator.
# Lives in: src/app/replay.c (cmd_trace) / src/app/main.c trace_scene.
printf '4294967296\n1\n2\n1\na 0 16\nf 0\n' >"$T/big.rep"
script setup.as ''
script bad.as "trace $T/big.rep"
batch bad.as
expect_rc 1
expect_err "1 GiB|too large|more than"
expect_state_of setup.as
run "$PROG" --trace "$T/big.rep" --batch
[ "$RC" = 0 ] && fail "--trace with a 4 GiB header exits 0"
grep -Eq "1 GiB|too large|more than" "$T/out" "$T/err" || fail "--trace with a 4 GiB header does not say why"
:
