# Scene 6: a pool of entities (Zig's MemoryPool).
# Teaches: same-size objects in slots; destroy puts a slot on a free list,
# and the next create reuses it - O(1), no search, no fragmentation.
# Plays in about 2 minutes (23 steps, 2 pauses) at the default pace.
note The tutorial's Entity: id u32, x f32, y f32, health i32, active bool.
struct Entity { u32 id; f32 x; f32 y; i32 health; bool active; }
expect type Entity size 20 align 4
note A MemoryPool(Entity): each slot holds one Entity (20 bytes, rounded to 24 for the free-list link).
new pool Entity as entities
alloc Entity as e1
alloc Entity as e2
alloc Entity as e3
expect block e3 offset 48
pause
note Destroy e2: its slot goes on the free list. The L cells are the link to the next free slot.
free e2
expect live 2
note The next create() takes the last destroyed slot: e4 lands exactly where e2 was.
alloc Entity as e4
expect block e4 offset 24
expect live 3
note Destroy everything: three slots on the free list, ready for reuse.
free e1
free e3
free e4
bins
pause
