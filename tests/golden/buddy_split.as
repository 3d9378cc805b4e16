new buddy 512
alloc 20 as a
alloc 100 as b
alloc 16 as c
free a
