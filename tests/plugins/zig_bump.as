# The tutorial's BumpAllocator in Zig (tests/plugins/zig_bump.zig), loaded
# as a plugin: run by make test-zig, which builds build/plugins/zig_bump.so
# with Zig 0.11 (not in tests/scripts: a plain make does not build it).
new plugin zig_bump.so 4096 as zig
alloc u32[10] as nums
alloc 32 as message
expect block nums offset 0 size 40
expect block message offset 40 size 32
resize message 64
expect block message size 64
resize nums 80
expect warning resize-failed
alloc 8 align 8 as late
expect block late offset 104
check
expect warnings 1
