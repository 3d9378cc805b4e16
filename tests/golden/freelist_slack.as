new freelist 256
alloc 64 as a
alloc 16 as b
free a
alloc 40 as c
