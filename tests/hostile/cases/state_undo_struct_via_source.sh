# issue 14, state: the same undo after a multi-line struct, the struct read
# by `source` (whose lines keep their '\n' in the history today).
# Lives in: src/app/session.c cmd_source (fgets keeps the '\n'; switch to
# lineio_next, which hands out lines without it) and the history replay.
script node.as 'struct Node {' '  u32 value;' '  u64 next;' '}'
script bad.as 'new bump 256' 'alloc 8 as a' "source $T/node.as" 'alloc 16 as b' 'undo' 'alloc 4 as c'
batch bad.as
expect_rc 0
state | grep -q '"name":"Node"' || fail "undo lost the struct Node"
state | grep -q '"name":"c"' || fail "the command after undo was swallowed"
state | grep -q '"name":"b"' && fail "undo did not take back block b"
:
