# issue 14, state: `undo` after a multi-line struct rewinds through a
# history that kept only `struct Node {`: the replay is left inside a
# struct and swallows the commands that follow. Undo of the command after
# the struct takes back that command only.
# Lives in: src/app/session.c (history of a multi-line command, cmd_undo and
# the replay of history).
script setup.as 'new bump 256' 'alloc 8 as a' 'struct Node {' '  u32 value;' '  u64 next;' '}' 'alloc 4 as c'
script bad.as 'new bump 256' 'alloc 8 as a' 'struct Node {' '  u32 value;' '  u64 next;' '}' \
    'alloc 16 as b' 'undo' 'alloc 4 as c'
batch bad.as
expect_rc 0
state | grep -q '"name":"Node"' || fail "undo lost the struct Node"
state | grep -q '"name":"c"' || fail "the command after undo was swallowed"
state | grep -q '"name":"b"' && fail "undo did not take back block b"
:
