struct Entity { u32 id; f32 x; f32 y; i32 health; bool active; }
new pool Entity capacity 6
alloc Entity as e1
alloc Entity as e2
alloc Entity as e3
free e2
