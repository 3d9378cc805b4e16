# issue 14, messages: `alloc u32[-1]` gave a garbled sentence ("the array
# length negative numbers are not allowed").
# Lives in: src/app/types.c (the array length message joins parse_uint's).
script setup.as 'new bump 256'
script bad.as 'new bump 256' 'alloc u32[-1]'
batch bad.as
expect_rc 1
expect_no "length negative numbers"
expect_err "array length"
expect_state_of setup.as
