# issue 14, hangs: a 100 MB file of NULs was accepted with exit 0. It is an
# error (a line with a NUL byte, far too long, a file past the size bound),
# exit 1, nothing runs; the same through a pipe.
# Lives in: src/app/batch.c (lineio_next).
head -c 100000000 /dev/zero >"$T/nul.as"
script setup.as ''
batch "$T/nul.as"
expect_rc 1
expect_err "too long|NUL|larger than"
expect_state_of setup.as
# a short NUL-only file: one bad line
head -c 100 /dev/zero >"$T/short.as"
batch "$T/short.as"
expect_rc 1
expect_err ":1: error: the line contains a NUL byte"
