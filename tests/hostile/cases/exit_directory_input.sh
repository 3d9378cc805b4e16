# issue 14, exit status: a directory as --batch input or as a source target
# succeeded silently.
# Lives in: src/app/main.c run_batch (lineio_fopen: fixed) and
# src/app/session.c cmd_source (still fopen: to switch to lineio_open).
mkdir "$T/dir"
run "$PROG" --batch "$T/dir"
expect_rc 2
expect_err "is a directory"
script setup.as 'new bump 256'
script bad.as 'new bump 256' "source $T/dir"
batch bad.as
expect_rc 1
expect_err "is a directory"
expect_state_of setup.as
