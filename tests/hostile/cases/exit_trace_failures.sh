# issue 14, exit status: a trace's failures gave rc 0 or 1 depending on what
# followed. A trace with a failed operation exits 1 whatever follows.
# Lives in: src/app/replay.c (cmd_trace's status), src/app/batch.c counts it.
printf '64\n1\n1\n1\na 0 4096\n' >"$T/t.rep"
script a.as 'new freelist 64' "trace $T/t.rep"
batch a.as
expect_rc 1
script b.as 'new freelist 64' "trace $T/t.rep" 'alloc 8'
batch b.as
expect_rc 1
script c.as 'new freelist 64' "trace $T/t.rep" 'frobnicate' 'alloc 8'
batch c.as
expect_rc 1
