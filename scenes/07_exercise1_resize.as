# Scene 7: exercise 1 - resize in a bump allocator.
# Teaches: the tutorial's main-text bump never resizes; exercise 1's
# resizes only the most recent allocation, since any other block is in
# the way of something. Growth figures are Zig 0.11's ArrayList.
# Plays in about 2 minutes (37 steps, 3 pauses) at the default pace.
note Exercise 1: resize for the most recent allocation. `resize-last` asks for exercise 1's bump.
new bump 1024 resize-last as bump
alloc 16 as a
alloc 16 as b
note b is the most recent block: it grows in place from 16 to 64 bytes, and the offset moves to 80.
resize b 64
expect block b size 64
expect offset 80
note a is not: growing it would run over b. The resize fails and a stays 16 bytes.
resize a 32
expect warning resize-failed
expect block a size 16
pause
note An ArrayList(u32) appending 50 items (Zig 0.11): capacity 8, 20, 38, then 65 items, each growth in place.
reset
alloc u32[8] as list
expect block list size 32
resize list 80
resize list 152
resize list 260
note The list is the only block, so every resize succeeds: capacity 65 (260 bytes), offset 260.
expect block list offset 0 size 260
expect offset 260
expect warnings 1
pause
note The tutorial's main-text bump (plain `new bump`) never resizes: the same list moves at every growth.
new bump 1024 as plain
alloc u32[8] as list2
realloc list2 80
expect block list2 offset 32
realloc list2 152
realloc list2 260
note Copies at 32, 112 and 264: offset 524, and the 264 bytes behind the list are freed but not reused until reset.
expect block list2 offset 264 size 260
expect offset 524
expect stat freed_bytes 264
pause
