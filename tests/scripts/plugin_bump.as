# The tutorial's BumpAllocator written as a plugin (tests/plugins/bump.c,
# built as build/plugins/bump.so; a name without '/' is found in the
# directory plugins beside the program): the tutorial's program on it,
# with exercise 1 (resize of the last block).
new plugin bump.so 4096 as bump
expect allocator bump
alloc u32[10] as nums
alloc 32 as message
expect block nums offset 0 size 40
expect block message offset 40 size 32
write message "hello"
resize message 64
expect block message size 64
resize nums 80
expect warning resize-failed
alloc 8 align 8 as late
expect block late offset 104
free late
expect live 2
check
undo
expect live 3
expect warnings 1
