# issue 14, hangs: `source /dev/zero` loops forever. Only regular files are
# sourced; the state is unchanged and the error says what the path is.
# Lives in: src/app/session.c cmd_source (switch to lineio_open).
script setup.as 'new bump 256' 'alloc 8 as a'
script bad.as 'new bump 256' 'alloc 8 as a' 'source /dev/zero'
batch bad.as
expect_rc 1
expect_err "character device|only regular files"
expect_state_of setup.as
