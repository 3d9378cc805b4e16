# issue 14, messages: `new arena over freelist 4096` is accepted but every
# alloc fails ("out of memory"): say why (the backing free list cannot hold
# the arena's first buffer) or size it.
# Lives in: src/app/allocators.c (arena over KIND SIZE) / src/lib/arena.c.
script bad.as 'new arena over freelist 4096' 'alloc 8 as a'
batch bad.as
if [ "$RC" = 0 ]; then
    state | grep -q '"name":"a"' || fail "alloc 8 failed on arena over freelist 4096 without an error"
else
    expect_no "^out of memory: 8 bytes"
    expect_err "arena.*(buffer|backing|free list|freelist)"
fi
