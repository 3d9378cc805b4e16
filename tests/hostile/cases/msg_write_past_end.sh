# issue 14, messages: `write y 9999 1` on a 24-byte block ("runs 1 bytes
# past the end" / today "wrote 0 of 1 bytes", exit 0). It is an error that
# says the block's size, and nothing is written.
# Lives in: src/app/commands.c cmd_write.
script setup.as 'new bump 256' 'alloc 24 as y'
script bad.as 'new bump 256' 'alloc 24 as y' 'write y 9999 1'
batch bad.as
expect_rc 1
expect_err "24 bytes|24-byte|offset 9999"
expect_no "1 bytes"
expect_state_of setup.as
