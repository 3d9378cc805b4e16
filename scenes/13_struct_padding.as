# Scene 13: padding inside a struct.
# Teaches: C lays out fields at multiples of their alignment, so padding
# hides inside types too; reordering fields removes it; then a pool of
# the type. `struct` is C's layout (Zig's extern struct); `packed struct`
# is C's __attribute__((packed)), not Zig's packed struct.
# Plays in about 2 minutes (27 steps, 3 pauses) at the default pace.
note The tutorial's Entity: where do its 3 tail bytes of padding come from?
struct Entity {
    u32 id;
    f32 x;
    f32 y;
    i32 health;
    bool active;
}
layout Entity
expect type Entity padding 3
note 17 bytes of fields; the size rounds up to a multiple of the alignment 4: 20 bytes.
expect type Entity size 20 align 4 padding 3
pause
note A careless order: u8, u64, u8. Each u64 needs alignment 8.
struct Careless { u8 tag; u64 value; u8 flag; }
layout Careless
expect type Careless size 24 align 8 padding 14 reordered 16
note Largest alignment first (what Zig's auto layout may do): 16 bytes instead of 24.
struct Ordered { u64 value; u8 tag; u8 flag; }
expect type Ordered size 16 padding 6
pause
note C's packed attribute: no padding at all, 10 bytes, at the cost of misaligned fields.
packed struct Packed { u8 tag; u64 value; u8 flag; }
expect type Packed size 10 align 1 padding 0
layout Packed
note Zig's packed struct is another rule: the fields bit-packed into one u80, 16 bytes in Zig 0.11. Here: C's, 10 bytes.
expect type Packed size 10
note And a pool of entities: each slot is 24 bytes, 20 for the Entity and 4 of slack (room for the free-list link).
new pool Entity as entities
alloc Entity as e1
alloc Entity[1] as e2
expect block e2 offset 24 size 20 align 4 slack 4
pause
