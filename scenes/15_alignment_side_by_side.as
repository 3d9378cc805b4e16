# Scene 15: alignment side by side - the careless order beside the sorted order.
# Teaches: the same six values cost 40 bytes in one order and 24 in
# another; `compare` puts the two bump allocators one above the other, at
# the same bytes per cell, so the padding (yellow) lines up against its
# absence, and then runs the same requests on both: from there on both pad
# alike, because what differed was only the order.
# Plays in about 3 minutes (45 steps, 3 pauses) at the default pace.
note Two bump allocators of 256 bytes: six values in a careless order in one, sorted by alignment in the other.
new bump 256 as careless
expect stat capacity 256
alloc u8 as flag
alloc u64 as id
alloc u16 as port
alloc u32 as count
alloc u8 as kind
alloc u64 as stamp
note Careless: u8, u64, u16, u32, u8, u64 - 24 bytes of data end at offset 40, 16 of them padding.
expect offset 40
expect padding 16
note Now the same six values sorted by alignment, largest first, in a second bump of 256 bytes.
new bump 256 as sorted
expect stat capacity 256
alloc u64 as id
alloc u64 as stamp
alloc u32 as count
alloc u16 as port
alloc u8 as flag
alloc u8 as kind
note Sorted, largest alignment first: u64, u64, u32, u16, u8, u8 - the same values end at offset 24, no padding.
expect offset 24
expect padding 0
pause
compare careless sorted
note Side by side: the careless map pads before id (7 bytes), count (2) and stamp (7); the sorted one never does.
expect in careless block id offset 8 padding 7
expect in careless block count offset 20 padding 2
expect in careless block stamp offset 32 padding 7
expect in sorted padding 0
pause
note From here every request runs on both. A u64 next lands at each offset, already aligned: 40 and 24.
alloc u64 as next
expect in careless block next offset 40 padding 0
expect in sorted block next offset 24 padding 0
note Then a u8 and a u32: both skip 3 bytes for the u32 - the same order pads alike.
alloc u8 as tag
alloc u32 as more
expect in careless block more offset 52 padding 3
expect in sorted block more offset 36 padding 3
note The careless allocator still holds 16 bytes more than the sorted one: 56 against 40.
expect in careless offset 56
expect in sorted offset 40
pause
