# issue 14, exit status: errors inside a sourced file exited 0. A script
# whose sourced file has an error exits 1 (the error named FILE:LINE).
# Lives in: src/app/session.c cmd_source (returns SESSION_OK on errors).
script inner.as 'alloc 8 as a' 'frobnicate' 'alloc 8 as b'
script bad.as 'new bump 256' "source $T/inner.as"
batch bad.as
expect_rc 1
expect_err "inner.as:2: .*unknown command 'frobnicate'"
