# Scene 3: the fixed-buffer allocator (Zig's FixedBufferAllocator).
# Teaches: memory from a buffer you own (no heap); the most recent block
# can grow, shrink and be freed; freeing any other block does nothing;
# reset makes the whole buffer reusable. Growth figures: Zig 0.11's
# ArrayList (0.14's differ, see tests/zig/VERSIONS.md).
# Plays in about 2 minutes (32 steps, 3 pauses) at the default pace.
note A FixedBufferAllocator over a 1024-byte buffer (the tutorial's is an array on the stack).
new fixed 1024 as fba
expect stat capacity 1024
note An ArrayList(u32) appending 20 items, as Zig 0.11 does it: first room for 8 items, 32 bytes at offset 0.
alloc u32[8] as list
expect block list offset 0 size 32
note It is the last allocation, so it grows in place to 20 items: 80 bytes, still at offset 0.
realloc list 80
expect block list offset 0 size 80
note Zig 0.11 prints "List has 20 items, capacity 20" and "Buffer used: 80/1024 bytes". (Zig 0.14 starts at a 128-byte cache line: capacity 32, 128/1024.)
expect offset 80
pause
note Another allocation after the list: now the list is no longer the last one.
alloc 16 align 8 as tail
expect block tail offset 80
note Growing the list to 38 items (152 bytes) fails in place: realloc moves it to offset 96 (allocate, copy, free).
realloc list 152
expect block list offset 96 size 152
note The old list's 80 bytes were freed, but a fixed buffer reclaims only its last block: they stay used.
expect offset 248
expect stat freed_bytes 80
pause
note Freeing the last block rewinds the end index by its length: back to 96, where the list began.
free list
expect offset 96
note Reset: the end index goes back to 0 and the same buffer is fresh again.
reset
expect offset 0
alloc 64 as msg
write msg "Fresh start!"
expect block msg offset 0
pause
