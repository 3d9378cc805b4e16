new arena over bump 8192
alloc 100 as a
alloc 200 as b
alloc 700 as c
