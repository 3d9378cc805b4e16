# Draft script (moves to tests/scripts once `new plugin` is wired): the
# tutorial's program on the student's bump allocator, tests/plugins/bump.c.
new plugin build/plugins/bump.so 4096 as bump
alloc u32[10] as nums
alloc 32 as message
expect block nums offset 0 size 40
expect block message offset 40 size 32
resize message 64
expect block message size 64
expect no warnings
