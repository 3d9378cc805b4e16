# Scene 5: an arena for requests.
# Teaches: allocate everything a request needs from an arena, then reset
# once; retain_capacity keeps the chunks for the next request, free_all
# gives them back. The item list is Zig 0.11's ArrayList(u32) of 100
# items (capacity 105).
# Plays in about 3 minutes (44 steps, 3 pauses) at the default pace.
note An ArenaAllocator over the system heap: it gets chunks as it needs them.
new arena as requests
expect stat capacity 0
note Request 0: a 256-byte header, a 4096-byte body, and 100 u32 items (Zig 0.11's ArrayList: capacity 105, 420 bytes).
alloc 256 as header
alloc 4096 as body
alloc u32[105] as items
expect block items size 420
expect live 3
note The first chunk was too small for the body: the arena took a second, larger chunk (chunk 1).
expect block header region 0
expect block body region 1
pause
note reset(.retain_capacity): everything is released at once; the arena keeps one chunk of 7236 bytes.
reset retain
expect live 0
expect stat capacity 7236
note Request 1 fits in the retained chunk: no new chunk is needed, the body now sits in chunk 0.
alloc 256 as header
alloc 4096 as body
alloc u32[105] as items
expect block body region 0
expect stat capacity 7236
reset retain
note Requests 2, 3 and 4: the same, with no trip to the heap - the capacity stays 7236.
alloc 256 as header
alloc 4096 as body
alloc u32[105] as items
reset retain
alloc 256 as header
alloc 4096 as body
alloc u32[105] as items
reset retain
alloc 256 as header
alloc 4096 as body
alloc u32[105] as items
expect stat live_bytes 4772
expect stat capacity 7236
pause
note reset(.free_all) instead: every chunk goes back to the heap. Nothing stays allocated.
reset free-all
expect stat capacity 0
expect live 0
pause
