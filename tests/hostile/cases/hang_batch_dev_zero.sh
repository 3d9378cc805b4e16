# issue 14, hangs: `--batch /dev/zero` loops forever, and so does standard
# input from /dev/zero. Refused at once with what it is, exit 2.
# Lives in: src/app/main.c run_batch, src/app/batch.c (lineio).
run "$PROG" --batch /dev/zero --json
expect_rc 2
expect_err "'/dev/zero' is a character device"
STDIN=/dev/zero run "$PROG" --batch - --json
expect_rc 2
expect_err "character device"
STDIN=/dev/zero run "$PROG" --json
expect_rc 2
