# Scene 10: a general-purpose free list beside a bump allocator.
# Teaches: a GPA searches free lists, splits blocks and merges neighbours;
# freeing in the middle leaves holes (fragmentation) that a large request
# cannot use until neighbours coalesce; a remainder too small to split
# is handed out with the block as slack (internal fragmentation).
# Plays in about 3 minutes (49 steps, 5 pauses) at the default pace.
note The same requests on a bump allocator and on a first-fit free list.
new bump 1024 as bump
alloc 64 as a
alloc 64 as b
alloc 64 as c
alloc 64 as d
free b
free d
note The bump allocator cannot reuse b or d: their 128 bytes stay freed until reset, the offset stays 256.
expect offset 256
expect stat freed_bytes 128
pause
new freelist 1024 first-fit as heap
alloc 64 as a
alloc 64 as b
alloc 64 as c
alloc 64 as d
note Each block has a 16-byte header (H). The rest of the buffer is one free block of 704 bytes.
expect block a offset 16
expect free 320 size 704
free b
note b's block is free again: a header and a link (L) make it a node of the free list, 80 bytes at 80.
expect free 80 size 80
free d
note d merged with the free space after it: one free block of 784 bytes at 240. No two free blocks are neighbours.
expect free 240 size 784
bins
pause
note Fragmentation: b's 80-byte hole is free, but a 200-byte request must skip it and use the tail at 256.
alloc 200 as big
expect block big offset 256
expect free 80 size 80
pause
note A 40-byte request takes b's hole. The 24 bytes left over cannot stand alone as a free block (the least is 32)...
alloc 40 as small
expect block small offset 96 slack 24
note ...so they are handed out with small as slack (~): no free block is left at 80, bins has none there.
expect bytes 136 24 slack
expect slack 32
bins
pause
note Freeing small gives the whole 80-byte block back, slack included; freeing c then merges it into 160 bytes at 80.
free small
expect free 80 size 80
free c
expect free 80 size 160
bins
expect warnings 2
pause
