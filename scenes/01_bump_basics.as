# Scene 1: bump basics - the tutorial's first program.
# Teaches: a bump allocator is one buffer and one offset that only moves
# forward; free does nothing; reset frees everything at once.
# Plays in about 2 minutes (23 steps, 2 pauses) at the default pace.
note A bump allocator: a 4096-byte buffer and an offset that starts at 0.
new bump 4096 as bump
expect offset 0
note Ten u32 values: 40 bytes, aligned to 4. They start at offset 0.
alloc u32[10] as nums
expect block nums offset 0 size 40 align 4
note A 32-byte message goes right after them: no padding, u8 needs no alignment.
alloc 32 as message
write message "Hello, bump!"
expect block message offset 40 padding 0
note Used: 72/4096 bytes, 2 allocations - what the tutorial prints.
expect offset 72
expect live 2
pause
note free() does nothing in a bump allocator: the bytes stay used until reset.
free message
expect offset 72
expect warning noop-free
note reset() frees everything at once: the offset goes back to 0.
reset
expect offset 0
expect live 0
pause
