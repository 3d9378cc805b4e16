# Every kind of allocator, driven through the same commands.
new bump 1024
alloc 10 as a
alloc u64 as b
expect block b offset 16 padding 6
new fixed 1024
alloc 10 as c
alloc 20 align 16 as d
free d
expect offset 16
new stack 1024
alloc 10 as e
alloc 10 as f
free e
expect warning out-of-order-free
free f
free e
expect offset 0
new arena
alloc 100 as g
reset free-all
expect stat capacity 0
new pool 32 capacity 2
alloc 32 as h
alloc 32 as i
alloc 32 as j
expect warning out-of-memory
free h
alloc 32 as k
expect block k offset 0
new counting over bump 512
alloc 100
expect stat peak_bytes 100
new freelist 1024 next-fit
alloc 100 as l
free l
expect live 0
new buddy 1024
alloc 100 as m
expect block m offset 0
bins
check
