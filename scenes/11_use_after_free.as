# Scene 11: use after free and writing past the end.
# Teaches: a debug allocator poisons freed memory and puts a guard zone
# after each block, so it can catch the two classic memory bugs; the
# damaged bytes stay as evidence until the block is freed or reset.
# Plays in about 2 minutes (31 steps, 3 pauses) at the default pace.
note A debug allocator over a bump: a 16-byte guard zone (G) after every block.
new debug 1024 as dbg
alloc 32 as name
alloc 16 as other
expect block other offset 48
expect bytes 32 16 metadata
note Writing 40 bytes into a 32-byte block: 8 bytes land in the guard zone. They stay damaged (!) as evidence.
write name 40
expect warning overflow
expect block name damaged 8
expect bytes 32 8 damaged
pause
note Free 'other'. Its 16 bytes are poisoned (dd) and kept back from reuse (quarantine).
free other
expect block other freed damaged 0
expect bytes 48 16 freed
note Writing 4 bytes to it after free damages the poison: the debug allocator notices, the bytes stay damaged.
write other 4
expect warning use-after-free
expect block other damaged 4
show other
note check lists each damaged range: 8 guard bytes of name, 4 poison bytes of other.
check
expect damaged 12
expect warnings 2
pause
note The repair comes only at free or reset: freeing name rewrites its guard, other's poison stays damaged.
free name
expect block name damaged 0
expect damaged 4
pause
