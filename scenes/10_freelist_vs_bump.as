# Scene 10: a general-purpose free list beside a bump allocator.
# Teaches: a GPA searches free lists, splits blocks and merges neighbours;
# freeing in the middle leaves holes (fragmentation) that a large request
# cannot use until neighbours coalesce.
# Plays in about 3 minutes (36 steps, 4 pauses) at the default pace.
note The same requests on a bump allocator and on a first-fit free list.
new bump 1024 as bump
alloc 64 as a
alloc 64 as b
alloc 64 as c
alloc 64 as d
free b
free d
note The bump allocator cannot reuse b or d: their bytes stay freed until reset.
expect offset 256
pause
new freelist 1024 first-fit as heap
alloc 64 as a
alloc 64 as b
alloc 64 as c
alloc 64 as d
note Each block has a 16-byte header (H). The rest of the buffer is one free block.
free b
note b's block is free again: a header and a link (L) make it a node of the free list.
free d
note d merged with the free space after it: no two free blocks are ever neighbours.
bins
pause
ask A 200-byte request comes next. Will it use b's 80-byte hole, or where will it go?
note Fragmentation: b's 80-byte hole is free, but a 200-byte request must skip it and use the tail.
alloc 200 as big
expect block big offset 256
pause
note Splitting: a 40-byte request takes the front of b's hole and leaves the rest free.
alloc 40 as small
expect block small offset 96
note Coalescing: freeing c merges it with the rest of b's hole on its left.
free small
free c
bins
expect warnings 2
pause
