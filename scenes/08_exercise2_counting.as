# Scene 8: exercise 2 - a counting allocator around another.
# Teaches: a wrapper can forward every call and count active allocations,
# current bytes and the peak without changing what the wrapped allocator
# does.
# Plays in about 1 minute (23 steps, 1 pause) at the default pace.
note A CountingAllocator wrapping a general-purpose free list of 4096 bytes.
new counting over freelist 4096 as counted
expect stat capacity 4096
alloc 100 as a
alloc 200 as b
alloc 300 as c
note Three allocations: 600 bytes live. The free list underneath placed them with headers.
expect stat live_bytes 600
free b
note After freeing b: 2 active allocations, 400 bytes, and the peak is still 600.
expect live 2
expect stat live_bytes 400
expect stat peak_bytes 600
alloc 50 as d
free a
free c
free d
note printStats: every call was counted - 4 allocations, 4 frees. Nothing is left.
stats
expect live 0
expect stat total_allocated 650
expect stat total_freed 650
pause
