# Scene 7: exercise 1 - resize in a bump allocator.
# Teaches: only the most recent allocation can grow or shrink in place;
# any other block is in the way of something.
# Plays in about 2 minutes (23 steps, 2 pauses) at the default pace.
note Exercise 1: resize for the most recent allocation of a bump allocator.
new bump 1024 as bump
alloc 16 as a
alloc 16 as b
note b is the most recent block: it can grow in place.
resize b 64
expect block b size 64
expect offset 80
note a is not: growing it would run over b. The resize fails and nothing changes.
resize a 32
expect warning resize-failed
expect block a size 16
pause
note An ArrayList(u32) appending 50 items: its buffer is the only block, so every resize succeeds.
reset
alloc u32[4] as list
resize list 32
resize list 64
resize list 128
resize list 200
expect block list offset 0 size 200
expect warnings 1
pause
