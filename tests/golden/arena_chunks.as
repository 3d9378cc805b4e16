new arena over bump 16384
alloc 100 as a
alloc 200 as b
alloc 700 as c
