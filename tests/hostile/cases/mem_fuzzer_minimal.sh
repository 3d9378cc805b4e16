# issue 14, memory safety: the fuzzer's minimal input (also kept as
# tests/fuzz/regressions/session/debug_over_freelist_reset_write).
# Lives in: src/app/commands.c cmd_write.
script setup.as 'new debug over freelist' 'alloc 1' 'reset'
script bad.as 'new debug over freelist' 'alloc 1' 'reset' 'write #1 "c"'
batch bad.as
expect_rc 1
expect_state_of setup.as
script check.as 'new debug over freelist' 'alloc 1' 'reset' 'write #1 "c"' 'check'
batch check.as
expect_no 'invariant is broken'
