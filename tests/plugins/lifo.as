# Draft script (moves to tests/scripts once `new plugin` is wired): exercise
# 3, the LIFO stack of tests/plugins/lifo.c, which describes its own table
# (536 bytes of metadata at the start of the region).
new plugin build/plugins/lifo.so 1024
alloc 10 as a
alloc 16 align 8 as b
alloc 5 as c
expect block a offset 536
free c
free b
free a
expect live 0
expect no warnings
