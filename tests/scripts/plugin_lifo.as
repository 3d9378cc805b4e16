# Exercise 3, the LIFO stack of tests/plugins/lifo.c, which describes its
# own table (536 bytes of metadata at the start of the region) and checks
# its invariants.
new plugin lifo.so 1024
alloc 10 as a
alloc 16 align 8 as b
alloc 5 as c
expect block a offset 536
expect block b offset 552 padding 6
expect metadata 536
check
free c
free b
alloc 4 as d
expect block d offset 546
free d
free a
expect live 0
expect no warnings
