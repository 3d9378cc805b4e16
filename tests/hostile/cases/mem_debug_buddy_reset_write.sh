# issue 14, memory safety: the same with debug over buddy.
# Lives in: src/app/commands.c cmd_write.
script setup.as 'new debug over buddy 4096' 'alloc 64 as a' 'reset'
script bad.as 'new debug over buddy 4096' 'alloc 64 as a' 'reset' \
    'write a "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"'
batch bad.as
expect_rc 1
expect_err 'not written|refused|no longer'
expect_state_of setup.as
script crash.as 'new debug over buddy 4096' 'alloc 64 as a' 'reset' \
    'write a "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"' 'alloc 8' 'alloc 100' 'check'
batch crash.as
expect_no 'invariant is broken'
