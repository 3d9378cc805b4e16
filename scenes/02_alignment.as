# Scene 2: alignment - where padding comes from, and how to get rid of it.
# Teaches: alignForward rounds an offset up to the next multiple of the
# alignment; the skipped bytes are padding; ordering allocations by
# alignment (largest first) removes it.
# Plays in about 3 minutes (42 steps, 3 pauses) at the default pace.
note alignForward(offset, align) rounds up to the next multiple of align. Watch the offset.
new bump 256 as table
note The offset is 0: alignForward(0, 4) = 0, so a u32 starts right there.
alloc u32 as a0
expect block a0 offset 0 padding 0
note Offset 4 now. One byte moves it to 5: alignForward(5, 4) = 8, so 3 bytes are skipped.
alloc 1 as byte1
alloc u32 as a8
expect block a8 offset 8 padding 3
note Offset 12. Three bytes move it to 15: alignForward(15, 8) = 16 for a u64 - 1 byte of padding.
alloc 3 as bytes3
alloc u64 as a16
expect block a16 offset 16 padding 1
note alignForward(24, 8) = 24: already aligned, no padding at all.
alloc u64 as a24
expect block a24 offset 24 padding 0
pause
note Mixed sizes in a careless order: u8, u64, u16, u32, u8, u64.
new bump 256 as careless
alloc u8 as flag
ask A 1-byte flag sits at offset 0. Where will the u64 land?
alloc u64 as id
alloc u16 as port
alloc u32 as count
alloc u8 as kind
alloc u64 as stamp
note 24 bytes of data took 40 bytes of buffer: 16 of them are padding (the yellow cells).
expect offset 40
expect padding 16
pause
note The same six values, largest alignment first: u64, u64, u32, u16, u8, u8.
new bump 256 as ordered
alloc u64 as id
alloc u64 as stamp
alloc u32 as count
alloc u16 as port
alloc u8 as flag
alloc u8 as kind
note 24 bytes, no padding at all. Ordering by alignment is free memory.
expect offset 24
expect padding 0
pause
