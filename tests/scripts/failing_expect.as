new bump 64
alloc 10 as a
expect offset 11
