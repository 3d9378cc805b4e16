# The complete plugin of the README's "Watch your own allocator", which
# make cuts out of README.md and builds as build/plugins/readme_bump.so.
new plugin readme_bump.so 4096 as mine
alloc u32[10] as nums
alloc 32 as message
expect block message offset 40
resize message 64
expect block message size 64
resize nums 80
expect warning resize-failed
alloc 8 align 8 as late
expect block late offset 104
check
