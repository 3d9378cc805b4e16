# issue 14, messages: a pool asked for more than its slot, or a debug
# allocator over its limit, say "out of memory": say the slot size / limit.
# Lives in: src/app/commands.c cmd_alloc (the out-of-memory message).
script setup.as 'new pool 16 capacity 2'
script bad.as 'new pool 16 capacity 2' 'alloc 32'
batch bad.as
expect_rc 1
expect_err "slot"
expect_state_of setup.as
script setup2.as 'new debug limit 100'
script bad2.as 'new debug limit 100' 'alloc 200'
batch bad2.as
expect_rc 1
expect_err "limit"
expect_state_of setup2.as
