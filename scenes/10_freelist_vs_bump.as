# Scene 10: a general-purpose free list beside a bump allocator.
# Teaches: a GPA searches free lists, splits blocks and merges neighbours;
# freeing in the middle leaves holes (fragmentation) that a large request
# cannot use until neighbours coalesce; a remainder too small to split is
# handed out with the block as slack (internal fragmentation). `compare`
# runs every request on both allocators, so the two maps show the same
# program side by side.
# Plays in about 3 minutes (54 steps, 4 pauses) at the default pace.
note The same requests on a first-fit free list and on a bump allocator, one map above the other.
compare freelist 1024 first-fit as heap, bump 1024 as bump
alloc 64 as a
alloc 64 as b
alloc 64 as c
alloc 64 as d
note Each free-list block has a 16-byte header (H) before it: b starts at 96 there, at 64 in the bump.
expect in heap block b offset 96
expect in bump block b offset 64
note The rest of the free list's buffer is one free block of 704 bytes; the bump's offset is at 256.
expect in heap free 320 size 704
expect in bump offset 256
free b
note b's block is free again in the free list: a header and a link (L) make it a node, 80 bytes at 80.
expect in heap block b freed
expect in heap free 80 size 80
free d
note d merged with the free space after it: one free block of 784 bytes at 240, one node fewer.
expect in heap free 240 size 784
expect in heap metadata 96
note The bump allocator cannot reuse b or d: its offset stays at 256 and both frees were no-ops.
expect in bump offset 256
expect in bump warnings 2
bins
pause
ask A 200-byte request comes next. Will it use b's 80-byte hole, or where will it go?
note Fragmentation: b's 80-byte hole is free, but a 200-byte request must skip it and use the tail at 256.
alloc 200 as big
expect in heap block big offset 256
expect in heap free 80 size 80
note The bump allocator puts big at its offset, 256, as it puts everything.
expect in bump block big offset 256
pause
note A 40-byte request takes b's hole. The 24 bytes left over cannot stand alone as a free block (the least is 32)...
alloc 40 as small
expect in heap block small offset 96 slack 24
note ...so they are handed out with small as slack (~): no free block is left at 80, bins has none there.
expect in heap bytes 136 24 slack
expect in heap slack 32
note The bump allocator has no hole to use: small goes after big, at 456.
expect in bump block small offset 456
pause
note Freeing small gives the whole 80-byte block back, slack included; freeing c then merges it into 160 bytes at 80.
free small
expect in heap free 80 size 80
free c
expect in heap free 80 size 160
expect in heap metadata 96
bins
note The free list reuses its holes; the bump's four frees reclaimed nothing (offset 496).
expect in heap no warnings
expect in bump warnings 4
expect in bump offset 496
pause
