# Scene 12: choosing an allocator - the tutorial's decision table.
# Teaches: each row of the table, in a few steps: a debugging GPA, an
# arena for same-lifetime batches, a fixed buffer for a known maximum,
# a pool for same-size objects, and a testing allocator that fails on
# leaks.
# Plays in about 4 minutes (37 steps, 5 pauses) at the default pace.
note General purpose, debugging: a tracking allocator catches leaks and double frees.
new debug over freelist 4096 as gpa
alloc 100 as config
alloc 40 as name
free name
leaks
expect warning leak
pause
note Batch processing, same lifetime: an arena - fast alloc, one bulk free, no fragmentation.
new arena as batch
alloc 300 as parse
alloc 700 as tokens
alloc 200 as tree
reset retain
expect live 0
pause
note Known maximum size, no heap: a fixed buffer - deterministic, and you own the memory.
new fixed 256 as line
alloc 200 as text
alloc 100 as more
expect warning out-of-memory
pause
note Many same-size objects: a pool - O(1) create and destroy, zero fragmentation.
new pool 48 capacity 8 as bullets
alloc 48 as b1
alloc 48 as b2
free b1
alloc 48 as b3
expect block b3 offset 0
pause
note Testing: an allocator that reports every leak when the test ends.
new debug 1024 as testing
alloc 10 as forgotten
leaks
expect warnings 3
note Start with a general-purpose allocator, measure, and specialise only where it matters.
pause
