# Scene 10: a general-purpose free list beside a bump allocator.
# Teaches: a GPA searches free lists, splits blocks and merges neighbours;
# freeing in the middle leaves holes (fragmentation) that a large request
# cannot use until neighbours coalesce. `compare` runs every request on
# both allocators, so the two maps show the same program side by side.
# Plays in about 3 minutes (44 steps, 3 pauses) at the default pace.
note The same requests on a first-fit free list and on a bump allocator, one map above the other.
compare freelist 1024 first-fit as heap, bump 1024 as bump
alloc 64 as a
alloc 64 as b
alloc 64 as c
alloc 64 as d
note Each free-list block has a 16-byte header (H) before it: b starts at 96 there, at 64 in the bump.
expect in heap block b offset 96
expect in bump block b offset 64
note The rest of the free list's buffer is one free block; the bump's offset is at 256.
expect in bump offset 256
free b
note b's block is free again in the free list: a header and a link (L) make it a node of the free list.
expect in heap block b freed
free d
note d merged with the free space after it: no two free blocks are ever neighbours, so one node fewer.
expect in heap metadata 96
note The bump allocator cannot reuse b or d: its offset stays at 256 and both frees were no-ops.
expect in bump offset 256
expect in bump warnings 2
bins
pause
note Fragmentation: b's 80-byte hole is free, but a 200-byte request must skip it and use the tail.
alloc 200 as big
expect in heap block big offset 256
note The bump allocator puts big at its offset, 256, as it puts everything.
expect in bump block big offset 256
pause
note Splitting: a 40-byte request takes the front of b's hole and leaves the rest free.
alloc 40 as small
expect in heap block small offset 96
note The bump allocator has no hole to split: small goes after big, at 456.
expect in bump block small offset 456
note Coalescing: freeing c merges it with the rest of b's hole on its left: 16 bytes of metadata fewer.
free small
expect in heap metadata 112
free c
expect in heap metadata 96
bins
note The free list reuses its holes; the bump's four frees reclaimed nothing (offset 496).
expect in heap no warnings
expect in bump warnings 4
expect in bump offset 496
pause
