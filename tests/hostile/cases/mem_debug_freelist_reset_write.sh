# issue 14, memory safety: after a reset over debug-over-freelist, a write to
# a block of before the reset lands in the free list's links and the next
# allocations follow a pointer the script chose (SIGSEGV).
# Lives in: src/app/commands.c cmd_write (and the block ledger's notion of a
# block's bytes after reset: src/app/commands.c cmd_reset / src/lib/debug.c).
script setup.as 'new debug over freelist 4096' 'alloc 64 as a' 'reset'
script bad.as 'new debug over freelist 4096' 'alloc 64 as a' 'reset' \
    'write a "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"'
batch bad.as
expect_rc 1
expect_err 'not written|refused|no longer'
expect_state_of setup.as
# and the rest of the crash runs without one
script crash.as 'new debug over freelist 4096' 'alloc 64 as a' 'reset' \
    'write a "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"' 'alloc 8' 'alloc 100' 'check'
batch crash.as
expect_no 'invariant is broken'
