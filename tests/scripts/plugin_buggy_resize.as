# tests/plugins/buggy_resize.c: its resize says yes but does not move the
# offset when the block grows, so the next alloc (step 4) hands out bytes of
# the grown block again. allocscope reports an overlap at that step and
# refuses the block (no out-of-memory warning besides).
new plugin buggy_resize.so 256
alloc 16 as list
resize list 32
alloc 8 as next
expect warning overlap
expect warnings 1
expect live 1
expect block list size 32
