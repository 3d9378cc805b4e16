# Scene 11: use after free and writing past the end.
# Teaches: a debug allocator poisons freed memory and puts a guard zone
# after each block, so it can catch the two classic memory bugs.
# Plays in about 2 minutes (17 steps, 2 pauses) at the default pace.
note A debug allocator over a bump: guard zones (G) after every block.
new debug 1024 as dbg
alloc 32 as name
alloc 16 as other
note Writing 40 bytes into a 32-byte block: 8 bytes land in the guard zone.
write name 40
expect warning overflow
pause
note Free 'other'. Its bytes are poisoned and kept back from reuse (quarantine).
free other
note Writing to it after free damages the poison: the debug allocator notices.
write other 4
expect warning use-after-free
show other
check
expect warnings 2
pause
