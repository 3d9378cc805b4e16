new stack 128
alloc 5 as a
alloc 16 align 8 as b
alloc 3 as c
free c
