# Draft script (moves to tests/scripts once `new plugin` is wired): the
# resize of tests/plugins/buggy_resize.c says yes but does not move the
# offset, so the next alloc hands out the grown block's bytes again: an
# overlap warning at step 4, and the block is refused.
new plugin build/plugins/buggy_resize.so 256
alloc 16 as list
resize list 32
alloc 8 as next
expect warning overlap
expect live 1
