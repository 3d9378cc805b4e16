# issue 14, hangs: `source` of a FIFO (or /dev/stdin) blocks forever - in
# the live view the screen freezes. Refused at once with what it is.
# Lives in: src/app/session.c cmd_source (switch to lineio_open).
mkfifo "$T/fifo"
script setup.as 'new bump 256' 'alloc 8 as a'
script bad.as 'new bump 256' 'alloc 8 as a' "source $T/fifo"
batch bad.as
expect_rc 1
expect_err "FIFO|only regular files"
expect_state_of setup.as
script bad2.as 'new bump 256' 'alloc 8 as a' 'source /dev/stdin'
batch bad2.as
expect_rc 1
expect_err "device|FIFO|only regular files"
expect_state_of setup.as
