# Scene 12: choosing an allocator - the tutorial's decision table.
# Teaches: each row of the table, in a few steps: a debugging GPA, an
# arena for same-lifetime batches, a fixed buffer for a known maximum,
# a pool for same-size objects, and a testing allocator that fails on
# leaks. Where two allocators could serve a pattern, `compare` runs the
# same requests on both, so the maps show why one fits better.
# Plays in about 5 minutes (54 steps, 5 pauses) at the default pace.
note General purpose, debugging: a tracking allocator catches leaks and double frees.
new debug over freelist 4096 as gpa
alloc 100 as config
alloc 40 as name
free name
leaks
expect warning leak
pause
note Batch processing, same lifetime: an arena beside a free list, the same three requests on each.
compare arena as batch, freelist 4096 as heap
alloc 300 as parse
alloc 700 as tokens
alloc 200 as tree
note The arena keeps one 16-byte header per chunk (2 chunks: 32 bytes); the free list one per block, and its tail's (80).
expect in batch metadata 32
expect in heap metadata 80
reset
note One reset releases the whole batch in both; only the arena is built for it: it never frees block by block.
expect in batch live 0
expect in heap live 0
pause
note Known maximum size, no heap: a fixed buffer - deterministic, and you own the memory.
compare off
new fixed 256 as line
alloc 200 as text
alloc 100 as more
expect warning out-of-memory
pause
note Many same-size objects: a pool of 48-byte slots beside a free list.
compare pool 48 capacity 8 as bullets, freelist 512 as heap2
expect in bullets stat capacity 384
alloc 48 as b1
alloc 48 as b2
free b1
alloc 48 as b3
note b3 takes b1's place in both: slot 0 in the pool, offset 16 (after a header) in the free list.
expect in bullets block b3 offset 0
expect in heap2 block b3 offset 16
note The pool keeps no header per object (metadata 0); the free list keeps 64 bytes for two blocks and its tail.
expect in bullets metadata 0
expect in heap2 metadata 64
alloc 100 as odd
note A pool serves its slot size only: 100 bytes fail there, while the free list finds room for them.
expect in bullets warning out-of-memory
expect in heap2 block odd live
pause
note Testing: an allocator that reports every leak when the test ends.
compare off
new debug 1024 as testing
alloc 10 as forgotten
leaks
expect in testing warning leak
note Start with a general-purpose allocator, measure, and specialise only where it matters.
pause
