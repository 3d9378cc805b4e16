# Scene 5: an arena for requests.
# Teaches: allocate everything a request needs from an arena, then reset
# once; retain_capacity keeps the chunks for the next request, free_all
# gives them back.
# Plays in about 3 minutes (36 steps, 3 pauses) at the default pace.
note An ArenaAllocator over the system heap: it gets chunks as it needs them.
new arena as requests
note Request 0: a 256-byte header, a 4096-byte body, 100 u32 items.
alloc 256 as header
alloc 4096 as body
alloc u32[100] as items
note The first chunk was too small for the body: the arena took a second, larger chunk.
expect live 3
pause
note reset(.retain_capacity): everything is released at once, the capacity stays.
reset retain
expect live 0
note Request 1 fits in the retained chunk: no new chunk is needed.
alloc 256 as header
alloc 4096 as body
alloc u32[100] as items
reset retain
note Requests 2, 3 and 4: the same, with no trip to the heap.
alloc 256 as header
alloc 4096 as body
alloc u32[100] as items
reset retain
alloc 256 as header
alloc 4096 as body
alloc u32[100] as items
reset retain
alloc 256 as header
alloc 4096 as body
alloc u32[100] as items
expect stat live_bytes 4752
pause
note reset(.free_all) instead: every chunk goes back to the heap. Nothing stays allocated.
reset free-all
expect stat capacity 0
expect live 0
pause
