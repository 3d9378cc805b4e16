# issue 14, messages: `new pool 0` said "not enough memory".
# Lives in: src/app/allocators.c (new pool: a zero slot size).
script setup.as 'new bump 256'
script bad.as 'new bump 256' 'new pool 0'
batch bad.as
expect_rc 1
expect_no "not enough memory"
expect_err "pool.*(at least|slot|size)"
expect_state_of setup.as
