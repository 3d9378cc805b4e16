# Mixed sizes on a bump allocator: padding appears before aligned blocks.
new bump 256
alloc 1 as c
alloc u64 as big
alloc u16 as h
alloc u32[3] as arr
alloc 100 align 64 as vec
free h
