# issue 14, data: `save` wrote only the first line of a multi-line struct:
# the saved script cannot be replayed. Saved and replayed, it gives the same
# state - also after an undo (which replays the history).
# Lives in: src/app/session.c (the history of a multi-line command) and
# cmd_save.
script s.as 'new bump 256' 'struct Node {' '  u32 value;' '  u64 next;' '}' 'alloc Node as n' \
    'alloc 8 as x' 'undo' "save $T/saved.as" 'alloc Node as m' "save $T/saved2.as"
batch s.as
expect_rc 0
state | sed -E 's/"(step|allocated_at|freed_at)":[0-9]+,?//g' >"$T/orig.json"
batch "$T/saved2.as"
expect_rc 0
state | sed -E 's/"(step|allocated_at|freed_at)":[0-9]+,?//g' >"$T/replayed.json"
cmp -s "$T/orig.json" "$T/replayed.json" || fail "the saved script does not replay to the same state"
