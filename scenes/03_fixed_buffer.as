# Scene 3: the fixed-buffer allocator (Zig's FixedBufferAllocator).
# Teaches: memory from a buffer you own (no heap); the most recent block
# can grow, shrink and be freed; freeing any other block does nothing;
# reset makes the whole buffer reusable.
# Plays in about 2 minutes (29 steps, 3 pauses) at the default pace.
note A FixedBufferAllocator over a 1024-byte buffer, as the tutorial puts on the stack.
new fixed 1024 as fba
note A growing list of u32, like ArrayList(u32): it starts with room for 4 items.
alloc u32[4] as list
note It is the last allocation, so it grows in place: 8, 16, then 32 items.
realloc list 32
realloc list 64
realloc list 128
expect block list offset 0 size 128
expect offset 128
note Used: 128/1024 bytes - 20 items appended, capacity 32, as the tutorial prints.
pause
note Another allocation after the list: now the list is no longer the last one.
alloc 16 align 8 as tail
note Growing the list now fails in place: realloc must move it (allocate, copy, free).
realloc list 256
expect block list offset 144 size 256
note The old list's 128 bytes were freed, but a fixed buffer reclaims only its last block: they stay used.
pause
note Freeing the last block rewinds the end index; the padding before it stays consumed.
free list
expect offset 144
note Reset: the end index goes back to 0 and the same buffer is fresh again.
reset
expect offset 0
alloc 64 as msg
write msg "Fresh start!"
expect block msg offset 0
pause
