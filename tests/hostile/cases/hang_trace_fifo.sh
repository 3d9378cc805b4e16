# issue 14, hangs (the class): every file a script or a flag names is read
# only if it is a regular file - also `trace FILE` and `--trace FILE`
# (sb_read_file: a FIFO blocked for ever, /dev/zero was read up to 512 MB).
# Lives in: src/app/strbuf.c sb_read_file (through lineio_fopen).
mkfifo "$T/fifo"
script setup.as 'new bump 256'
script bad.as 'new bump 256' "trace $T/fifo"
batch bad.as
expect_rc 1
expect_err "FIFO.*only regular files"
expect_state_of setup.as
run "$PROG" --trace /dev/zero --batch
expect_rc 2
expect_err "character device.*only regular files"
