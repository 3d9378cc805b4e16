# Scene 6: a pool of entities (Zig's MemoryPool).
# Teaches: same-size objects in slots; destroy puts a slot on a free list,
# and the next create reuses it - O(1), no search, no fragmentation.
# Plays in about 2 minutes (40 steps, 3 pauses) at the default pace.
note The tutorial's Entity: id u32, x f32, y f32, health i32, active bool.
struct Entity { u32 id; f32 x; f32 y; i32 health; bool active; }
expect type Entity size 20 align 4
note A MemoryPool(Entity): each slot is 24 bytes - the Entity's 20, rounded up for the free-list link (align 8).
new pool Entity as entities
alloc Entity as e1
alloc Entity as e2
alloc Entity as e3
expect block e1 slot 0
expect block e3 offset 48 slot 2
note The 4 bytes after each Entity are slack (~): part of its slot, but not of the Entity.
expect block e1 slack 4
expect bytes 20 4 slack
pause
note Destroy e2: its slot goes on the free list. The L cells are the link to the next free slot.
free e2
expect live 2
expect free 24
note The next create() takes the last destroyed slot: e4 is reused from e2's slot, at offset 24.
alloc Entity as e4
expect block e4 offset 24 slot 1
expect live 3
note Destroy everything: three slots on the free list, ready for reuse (the last destroyed first).
free e1
free e3
free e4
bins
expect live 0
expect free 0
expect free 24
expect free 48
pause
note reset(.retain_capacity) (Zig 0.12+): the slab stays, and the next creates use its slots from 0 again.
reset retain
alloc Entity as e5
alloc Entity as e6
expect block e5 offset 0 region 0
expect block e6 offset 24 region 0
expect stat capacity 384
pause
