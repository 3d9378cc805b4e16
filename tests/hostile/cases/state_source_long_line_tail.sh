# issue 14, state: in `source`, an over-long line printed an error and then
# ran its tail (here: free y). None of the line runs.
# Lives in: src/app/session.c cmd_source (fgets of 4098 bytes; switch to
# lineio_next).
{ printf 'note '; head -c 4092 /dev/zero | tr '\0' 'a'; printf 'free y\n'; } >"$T/long.as"
script setup.as 'new bump 256' 'alloc 24 as y'
script bad.as 'new bump 256' 'alloc 24 as y' "source $T/long.as"
batch bad.as
expect_rc 1
expect_err 'too long'
expect_state_of setup.as
