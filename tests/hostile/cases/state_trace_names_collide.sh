# issue 14, state: `trace FILE` names its blocks tN and finds them by name:
# it frees the user's own t1, and on a clash reports 0 failed. Trace blocks
# never collide with user blocks: the user's t0 and t1 stay live.
# Lives in: src/app/replay.c (cmd_trace) and src/app/trace.c trace_to_script
# (the names it gives).
printf '4096\n2\n4\n1\na 0 16\na 1 16\nf 0\nf 1\n' >"$T/t.rep"
script bad.as 'new freelist 4096' 'alloc 8 as t0' 'alloc 8 as t1' "trace $T/t.rep"
batch bad.as
expect_rc 0
state | grep -q '"name":"t0","offset":[0-9]*,"size":8,[^}]*"state":"live"' || fail "the trace freed the user's t0"
state | grep -q '"name":"t1","offset":[0-9]*,"size":8,[^}]*"state":"live"' || fail "the trace freed the user's t1"
:
