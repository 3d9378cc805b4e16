# issue 14, messages: `free #0` said "did you mean 'y'?".
# Lives in: src/app/parse.c parse_suggest (fixed); "block ids start at #1"
# would be src/app/commands.c (the block lookup, sess_find_block).
script setup.as 'new bump 256' 'alloc 24 as y'
script bad.as 'new bump 256' 'alloc 24 as y' 'free #0'
batch bad.as
expect_rc 1
expect_no "did you mean 'y'"
expect_err "#0"
expect_state_of setup.as
