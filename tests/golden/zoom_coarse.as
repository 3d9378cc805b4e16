new bump 64k
alloc 3 as a
alloc 1000 align 1024 as b
zoom 256
