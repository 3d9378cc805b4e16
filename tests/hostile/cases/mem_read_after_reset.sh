# issue 14, memory safety: read, like write, must only touch bytes that are
# the block's (or its debug zones') at that step: after a reset over a
# wrapped allocator the block's bytes belong to the backing free list.
# Lives in: src/app/commands.c cmd_read.
script setup.as 'new debug over freelist 4096' 'alloc 64 as a' 'reset'
script bad.as 'new debug over freelist 4096' 'alloc 64 as a' 'reset' 'read a'
batch bad.as
expect_rc 1
expect_err 'not read|refused|no longer|reset'
expect_state_of setup.as
