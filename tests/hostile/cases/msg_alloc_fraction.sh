# issue 14, messages: `alloc 1.5M` said "unknown size suffix".
# Lives in: src/app/parse.c parse_size.
script setup.as 'new bump 256'
script bad.as 'new bump 256' 'alloc 1.5M'
batch bad.as
expect_rc 1
expect_err "fractions are not accepted"
expect_no "unknown size suffix"
expect_state_of setup.as
