# issue 14, state: a line over 4096 bytes split by a NUL ran its tail as a
# second command (exit 0). Now it is one bad line: nothing of it runs.
# Lives in: src/app/batch.c (lineio_next).
script setup.as 'new bump 256' 'alloc 24 as y'
{ printf 'new bump 256\nalloc 24 as y\nalloc 1\0'; head -c 4089 /dev/zero | tr '\0' ' '; printf 'free y\n'; } >"$T/bad.as"
batch bad.as
expect_rc 1
expect_err 'bad.as:3: error: the line is too long'
expect_state_of setup.as
