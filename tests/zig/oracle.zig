//! oracle.zig - runs Zig 0.11's own allocators (and the tutorial's, from
//! tutorial.zig) and writes what they did as allocscope scripts, one `case`
//! each (see scribe.zig). tests/zig/run.sh plays every case in allocscope;
//! a case that fails is a discrepancy, unless KNOWN_DIFFERENCES names it.
//!
//! Lines starting with `# zig:` are figures Zig printed that allocscope has
//! no expect for; run.sh copies them into build/zig/figures.txt.
const std = @import("std");
const heap = std.heap;
const s = @import("scribe.zig");
const say = s.say;
const tut = @import("tutorial.zig");

const Entity = struct { id: u32, x: f32, y: f32, health: i32, active: bool };
const entity_decl = "struct Entity { u32 id; f32 x; f32 y; i32 health; bool active; }";

pub fn main() !void {
    s.init();
    say("# zig {s}", .{@import("builtin").zig_version_string});
    try fixedBuffer();
    try arrayListGrowth();
    try arena();
    try memoryPool();
    try arenaRequests();
    try poolRetain();
    try tutorialBump();
    try tutorialDebugBump();
    try tutorialDebugPeak();
    try tutorialCounting();
    try tutorialStack();
    layouts();
}

/// The tutorial's FixedBufferAllocator example: 20 appends to an
/// ArrayList(u32) on 1024 bytes, then reset and a 64-byte message.
fn fixedBuffer() !void {
    var buf: [1024]u8 align(16) = undefined;
    var fba = heap.FixedBufferAllocator.init(&buf);
    var sc = s.Scribe.init(fba.allocator());
    sc.addRegion(&buf, buf.len);
    const a = sc.allocator();

    s.case("fba_arraylist_20", "new fixed 1024 as fba");
    var list = std.ArrayList(u32).init(a);
    for (0..20) |i| try list.append(@intCast(i * 3));
    say("# zig: List has {d} items, capacity {d}; Buffer used: {d}/{d} bytes", .{ list.items.len, list.capacity, fba.end_index, buf.len });
    say("expect offset {d}", .{fba.end_index});
    fba.reset();
    say("reset", .{});
    say("expect offset 0", .{});
    const msg = try a.alloc(u8, 64);
    _ = msg;
    say("expect offset {d}", .{fba.end_index});

    // Only the last block can grow or be freed; any block can shrink.
    s.case("fba_last_only", "new fixed 1024 as fba");
    fba.reset();
    sc.block_count = 0;
    const x = try a.alloc(u8, 10);
    const y = try a.alignedAlloc(u8, 16, 20);
    _ = a.resize(x, 16); // not the last: fails
    _ = a.resize(x, 4); // not the last, smaller: Zig says yes
    a.free(x); // not the last: nothing happens
    say("expect offset {d}", .{fba.end_index});
    a.free(y); // the last: end index rewinds to the end of its padding
    say("expect offset {d}", .{fba.end_index});
}

/// ArrayList growth: 20 u32 on a FixedBufferAllocator, 50 u32 on the
/// tutorial's bump with and without exercise 1's resize.
fn arrayListGrowth() !void {
    var buf: [1024]u8 align(16) = undefined;
    {
        var bump = tut.BumpAllocator.initExercise1(&buf);
        var sc = s.Scribe.init(bump.allocator());
        sc.addRegion(&buf, buf.len);
        s.case("exercise1_arraylist_50", "new bump 1024 resize-last as bump");
        var list = std.ArrayList(u32).init(sc.allocator());
        for (0..50) |i| try list.append(@intCast(i));
        say("# zig: exercise 1 bump: 50 items, capacity {d} ({d} bytes), offset {d}", .{ list.capacity, list.capacity * 4, bump.offset });
        say("expect offset {d}", .{bump.offset});
    }
    {
        var bump = tut.BumpAllocator.init(&buf);
        var sc = s.Scribe.init(bump.allocator());
        sc.addRegion(&buf, buf.len);
        s.case("plain_bump_arraylist_50", "new bump 1024 as bump");
        var list = std.ArrayList(u32).init(sc.allocator());
        for (0..50) |i| try list.append(@intCast(i));
        say("# zig: plain bump (resize always false): 50 items, capacity {d}, list at {d}, offset {d}", .{ list.capacity, @intFromPtr(list.items.ptr) - @intFromPtr(&buf), bump.offset });
        say("expect offset {d}", .{bump.offset});
    }
}

/// ArenaAllocator over a chunk log over a FixedBufferAllocator: chunk sizes,
/// growth in place, and what each reset mode keeps.
fn arena() !void {
    var buf: [65536]u8 align(4096) = undefined;
    const modes = [_]struct { name: []const u8, cmd: []const u8, mode: heap.ArenaAllocator.ResetMode }{
        .{ .name = "arena_reset_free_all", .cmd = "reset free-all", .mode = .free_all },
        .{ .name = "arena_reset_retain", .cmd = "reset retain", .mode = .retain_capacity },
        .{ .name = "arena_reset_limit", .cmd = "reset limit 1000", .mode = .{ .retain_with_limit = 1000 } },
    };
    for (modes) |m| {
        var fba = heap.FixedBufferAllocator.init(&buf);
        var sc = s.Scribe.init(undefined);
        var chunks = s.ChunkLog{ .inner = fba.allocator(), .scribe = &sc };
        var ar = heap.ArenaAllocator.init(chunks.allocator());
        sc.inner = ar.allocator();
        const a = sc.allocator();
        s.case(m.name, "new arena over fixed 65536 as ar");
        _ = try a.alloc(u8, 100);
        _ = try a.alloc(u8, 5000);
        _ = try a.alloc(u64, 3);
        say("expect stat capacity {d}", .{chunks.capacity});
        say("# zig: queryCapacity {d} (usable bytes, chunk headers not counted)", .{ar.queryCapacity()});
        const ok = ar.reset(m.mode);
        say("{s}", .{m.cmd});
        say("# zig: reset returned {}, {d} chunk(s) kept, {d} bytes", .{ ok, chunks.chunks, chunks.capacity });
        say("expect stat capacity {d}", .{chunks.capacity});
        _ = try a.alloc(u8, 10);
        say("expect stat capacity {d}", .{chunks.capacity});
        ar.deinit();
    }
    {
        // Over a backing allocator that never resizes (like the system heap
        // for most sizes): a new chunk of 1.5 x (previous + request).
        var fba = heap.FixedBufferAllocator.init(&buf);
        var nogrow = tut.BumpAllocator.init(&buf); // resize always false
        _ = &fba;
        var sc = s.Scribe.init(undefined);
        var chunks = s.ChunkLog{ .inner = nogrow.allocator(), .scribe = &sc };
        var ar = heap.ArenaAllocator.init(chunks.allocator());
        sc.inner = ar.allocator();
        const a = sc.allocator();
        s.case("arena_chunks_no_resize", "new arena over bump 65536 as ar");
        _ = try a.alloc(u8, 100);
        _ = try a.alloc(u8, 5000);
        _ = try a.alloc(u8, 10000);
        say("expect stat capacity {d}", .{chunks.capacity});
        ar.deinit();
    }
}

/// The tutorial's request loop (5 requests: 256 + 4096 bytes and an
/// ArrayList(u32) of 100 appends, then reset(.retain_capacity)), over a
/// FixedBufferAllocator so that chunk placement is deterministic.
fn arenaRequests() !void {
    var buf: [65536]u8 align(4096) = undefined;
    var fba = heap.FixedBufferAllocator.init(&buf);
    var sc = s.Scribe.init(undefined);
    var chunks = s.ChunkLog{ .inner = fba.allocator(), .scribe = &sc };
    var ar = heap.ArenaAllocator.init(chunks.allocator());
    sc.inner = ar.allocator();
    const a = sc.allocator();
    s.case("arena_requests", "new arena over fixed 65536 as requests");
    for (0..5) |request_id| {
        _ = try a.alloc(u8, 256);
        _ = try a.alloc(u8, 4096);
        var items = std.ArrayList(u32).init(a);
        for (0..100) |j| try items.append(@intCast(j));
        say("# zig: request {d}: {d} items, list capacity {d}; arena capacity {d} in {d} chunk(s)", .{ request_id, items.items.len, items.capacity, chunks.capacity, chunks.chunks });
        say("expect stat capacity {d}", .{chunks.capacity});
        _ = ar.reset(.retain_capacity);
        say("reset retain", .{});
        say("expect live 0", .{});
        say("expect stat capacity {d}", .{chunks.capacity});
    }
    ar.deinit();
}

/// Zig 0.12+'s MemoryPool.reset(mode) is `arena.reset(mode); free_list =
/// null`: done here by hand on 0.11's pool (same ArenaAllocator), to see
/// what 48 creates, a reset that keeps capacity and 48 creates again ask
/// of the backing allocator.
fn poolRetain() !void {
    // over a backing allocator that never resizes (the main text's bump),
    // so every chunk the arena needs is a chunk of its own, as over a heap
    var buf: [16384]u8 align(4096) = undefined;
    var nogrow = tut.BumpAllocator.init(&buf);
    var sc = s.Scribe.init(undefined);
    var chunks = s.ChunkLog{ .inner = nogrow.allocator(), .scribe = &sc };
    var pool = heap.MemoryPool([24]u8).init(chunks.allocator());
    say("# zig: pool retain (0.12+ reset(.retain_capacity) done by hand on 0.11):", .{});
    var first: usize = 0;
    for (0..48) |i| {
        const p = try pool.create();
        if (i == 0) first = @intFromPtr(p);
    }
    say("# zig: pool retain: 48 creates: {d} chunk(s), {d} bytes", .{ chunks.chunks, chunks.capacity });
    _ = pool.arena.reset(.retain_capacity);
    pool.free_list = null;
    say("# zig: pool retain: after reset(.retain_capacity): {d} chunk(s), {d} bytes", .{ chunks.chunks, chunks.capacity });
    const again = try pool.create();
    for (1..48) |_| _ = try pool.create();
    say("# zig: pool retain: 48 creates again: {d} chunk(s), {d} bytes (the first create is at +{d} from the first round's first slot)", .{ chunks.chunks, chunks.capacity, @intFromPtr(again) -% first });
    pool.deinit();
}

/// MemoryPool(Entity) (0.11: over an arena; reset takes no mode and frees all).
fn memoryPool() !void {
    var buf: [8192]u8 align(4096) = undefined;
    {
        var fba = heap.FixedBufferAllocator.init(&buf);
        var sc = s.Scribe.init(undefined);
        var chunks = s.ChunkLog{ .inner = fba.allocator(), .scribe = &sc };
        var pool = heap.MemoryPool(Entity).init(chunks.allocator());
        // the pool's slots start after the arena's 16-byte chunk header
        sc.shift = 16;
        s.case("pool_entities", entity_decl ++ "\nnew pool Entity as entities");
        say("# zig: MemoryPool(Entity): item_size {d}, item_alignment {d}, @sizeOf(Entity) {d}", .{ heap.MemoryPool(Entity).item_size, heap.MemoryPool(Entity).item_alignment, @sizeOf(Entity) });
        var e: [5]*align(8) Entity = undefined;
        for (0..3) |i| {
            e[i] = try pool.create();
            say("alloc Entity as e{d}", .{i});
            say("expect block e{d} offset {d}", .{ i, sc.offsetOf(@intFromPtr(e[i])) });
        }
        pool.destroy(e[1]);
        say("free e1", .{});
        e[3] = try pool.create();
        say("alloc Entity as e3", .{});
        say("expect block e3 offset {d}", .{sc.offsetOf(@intFromPtr(e[3]))});
        pool.destroy(e[0]);
        say("free e0", .{});
        pool.destroy(e[2]);
        say("free e2", .{});
        // LIFO: the next create takes the slot destroyed last (e2's)
        e[4] = try pool.create();
        say("alloc Entity as e4", .{});
        say("expect block e4 offset {d}", .{sc.offsetOf(@intFromPtr(e[4]))});
        pool.reset();
        say("reset free-all", .{});
        const r = try pool.create();
        say("alloc Entity as r0", .{});
        say("expect block r0 offset {d}", .{sc.offsetOf(@intFromPtr(r))});
        pool.deinit();
    }
    {
        // Growth over a backing allocator that never resizes: Zig's pool
        // asks its arena for each slot, and the arena takes a new chunk
        // (90 bytes hold 3 slots after the 16-byte header, then 201, ...).
        var nogrow = tut.BumpAllocator.init(&buf);
        var sc = s.Scribe.init(undefined);
        var chunks = s.ChunkLog{ .inner = nogrow.allocator(), .scribe = &sc };
        var pool = heap.MemoryPool(Entity).init(chunks.allocator());
        sc.shift = 16;
        s.case("pool_growth_chunks", entity_decl ++ "\nnew pool Entity as entities");
        for (0..5) |i| {
            const p = try pool.create();
            say("alloc Entity as g{d}", .{i});
            say("expect block g{d} offset {d}", .{ i, sc.offsetOf(@intFromPtr(p)) });
        }
        say("# zig: 5 Entity creates over a non-resizing backing allocator: {d} chunk(s), {d} bytes", .{ chunks.chunks, chunks.capacity });
        pool.deinit();
    }
    {
        // initPreheated: the free list is built by pushing each new slot, so
        // the first create takes the slot made last (the highest address).
        var fba = heap.FixedBufferAllocator.init(&buf);
        var sc = s.Scribe.init(undefined);
        var chunks = s.ChunkLog{ .inner = fba.allocator(), .scribe = &sc };
        s.case("pool_preheated_order", entity_decl ++ "\nnew pool Entity capacity 4 as entities");
        var pool = try heap.MemoryPool(Entity).initPreheated(chunks.allocator(), 4);
        sc.shift = 16;
        for (0..4) |i| {
            const p = try pool.create();
            say("alloc Entity as p{d}", .{i});
            say("expect block p{d} offset {d}", .{ i, sc.offsetOf(@intFromPtr(p)) });
        }
        pool.deinit();
    }
}

/// The tutorial's main-text BumpAllocator: its own main(), and resize.
fn tutorialBump() !void {
    var buf: [4096]u8 align(16) = undefined;
    var bump = tut.BumpAllocator.init(&buf);
    var sc = s.Scribe.init(bump.allocator());
    sc.addRegion(&buf, buf.len);
    const a = sc.allocator();
    s.case("tutorial_bump_main", "new bump 4096 as bump");
    _ = try a.alloc(u32, 10);
    _ = try a.alloc(u8, 32);
    say("# zig: Used: {d}/{d} bytes, {d} allocations", .{ bump.offset, buf.len, bump.allocations });
    say("expect offset {d}", .{bump.offset});
    s.case("tutorial_bump_resize_last", "new bump 4096 as bump");
    bump.reset();
    sc.block_count = 0;
    const m = try a.alloc(u8, 16);
    _ = a.resize(m, 64); // the main text's resize: always false
    say("expect offset {d}", .{bump.offset});
    s.case("exercise1_resize_last", "new bump 4096 resize-last as bump");
    bump.reset();
    bump.resize_last = true;
    sc.block_count = 0;
    const p = try a.alloc(u8, 16);
    const q = try a.alloc(u8, 16);
    _ = a.resize(q, 64); // the last: grows
    _ = a.resize(p, 32); // not the last: fails
    say("expect offset {d}", .{bump.offset});
}

/// The tutorial's DebugBumpAllocator main(): data1, data2, data3; free two; dumpStats; double free.
fn tutorialDebugBump() !void {
    var buf: [8192]u8 align(16) = undefined;
    var dbg = tut.DebugBumpAllocator.init(&buf);
    var sc = s.Scribe.init(dbg.allocator());
    sc.addRegion(&buf, buf.len);
    const a = sc.allocator();
    s.case("tutorial_debug_bump", "new debug-bump 8192 as dbg");
    const data1 = try a.alloc(u8, 100);
    const data2 = try a.alloc(u32, 50);
    const data3 = try a.alloc(u8, 200);
    _ = data3;
    a.free(data1);
    a.free(data2);
    say("# zig: dumpStats: Active {d}, Total allocated {d}, Total freed {d}, Peak usage {d}, Current offset {d}/{d}, leaks {d}", .{ dbg.active_allocations, dbg.total_allocated, dbg.total_freed, dbg.peak_usage, dbg.offset, buf.len, dbg.leaks() });
    say("expect offset {d}", .{dbg.offset});
    say("expect stat total_allocated {d}", .{dbg.total_allocated});
    say("expect stat total_freed {d}", .{dbg.total_freed});
    say("expect live {d}", .{dbg.active_allocations});
    say("expect peak {d}", .{dbg.peak_usage});
    // the double free (through the vtable: the scribe forgot data1, so call it directly)
    dbg.allocator().free(data1);
    say("free b0", .{});
    say("# zig: double frees detected: {d}", .{dbg.double_frees});
    say("expect warning double-free", .{});
}

/// The tutorial's peak_usage is the highest offset, not the most live bytes:
/// 100 bytes allocated and freed, then 50 (the bump gives nothing back).
fn tutorialDebugPeak() !void {
    var buf: [1024]u8 align(16) = undefined;
    var dbg = tut.DebugBumpAllocator.init(&buf);
    var sc = s.Scribe.init(dbg.allocator());
    sc.addRegion(&buf, buf.len);
    const a = sc.allocator();
    s.case("tutorial_debug_peak", "new debug-bump 1024 as dbg");
    const x = try a.alloc(u8, 100);
    a.free(x);
    _ = try a.alloc(u8, 50);
    say("# zig: peak usage {d}, offset {d}", .{ dbg.peak_usage, dbg.offset });
    say("expect offset {d}", .{dbg.offset});
    say("expect peak {d}", .{dbg.peak_usage});
}

/// Exercise 2: a CountingAllocator over a FixedBufferAllocator.
fn tutorialCounting() !void {
    var buf: [512]u8 align(16) = undefined;
    var fba = heap.FixedBufferAllocator.init(&buf);
    var counting = tut.CountingAllocator{ .inner = fba.allocator() };
    var sc = s.Scribe.init(counting.allocator());
    sc.addRegion(&buf, buf.len);
    const a = sc.allocator();
    s.case("exercise2_counting", "new counting over fixed 512 as cnt");
    const x = try a.alloc(u8, 100);
    const y = try a.alloc(u8, 50);
    a.free(x);
    _ = try a.alloc(u8, 30);
    a.free(y);
    say("expect stat peak_bytes {d}", .{counting.peak});
    say("expect stat live_bytes {d}", .{counting.bytes});
    say("expect live {d}", .{counting.active});
}

/// Exercise 3: a StackAllocator, 3 allocations freed in reverse order, then an out-of-order free.
fn tutorialStack() !void {
    var buf: [1024]u8 align(16) = undefined;
    var st = tut.StackAllocator.init(&buf);
    var sc = s.Scribe.init(st.allocator());
    sc.addRegion(&buf, buf.len);
    const a = sc.allocator();
    s.case("exercise3_stack", "new stack 1024 as st");
    const p = try a.alloc(u8, 10);
    const q = try a.alloc(u64, 2);
    const r = try a.alloc(u8, 7);
    a.free(r);
    say("expect offset {d}", .{st.offset});
    a.free(q);
    say("expect offset {d}", .{st.offset});
    a.free(p);
    say("expect offset {d}", .{st.offset});
    const u = try a.alloc(u8, 10);
    const v = try a.alloc(u8, 10);
    _ = v;
    a.free(u); // out of order
    say("expect warning out-of-order-free", .{});
    say("expect offset {d}", .{st.offset});
    say("# zig: out-of-order frees refused: {d}", .{st.out_of_order});
}

/// Struct layouts: allocscope's `struct` is C's layout (Zig's extern
/// struct); its `packed struct` is C's __attribute__((packed)).
fn layouts() void {
    const Careless = struct { tag: u8, value: u64, flag: u8 };
    const CarelessExtern = extern struct { tag: u8, value: u64, flag: u8 };
    const CarelessPacked = packed struct { tag: u8, value: u64, flag: u8 };
    const EntityExtern = extern struct { id: u32, x: f32, y: f32, health: i32, active: bool };
    say("# zig: Entity (auto) size {d} align {d}; extern size {d} align {d}", .{ @sizeOf(Entity), @alignOf(Entity), @sizeOf(EntityExtern), @alignOf(EntityExtern) });
    say("# zig: {{u8,u64,u8}} auto size {d} align {d}; extern size {d} align {d}; packed size {d} align {d} bits {d} backing u{d}", .{
        @sizeOf(Careless),       @alignOf(Careless),
        @sizeOf(CarelessExtern), @alignOf(CarelessExtern),
        @sizeOf(CarelessPacked), @alignOf(CarelessPacked),
        @bitSizeOf(CarelessPacked), @bitSizeOf(@typeInfo(CarelessPacked).Struct.backing_integer.?),
    });
    say("# zig: packed field bit offsets: tag {d}, value {d}, flag {d}", .{ @bitOffsetOf(CarelessPacked, "tag"), @bitOffsetOf(CarelessPacked, "value"), @bitOffsetOf(CarelessPacked, "flag") });
    s.case("extern_struct_layout", "struct Careless { u8 tag; u64 value; u8 flag; }");
    say("expect type Careless size {d} align {d}", .{ @sizeOf(CarelessExtern), @alignOf(CarelessExtern) });
    say("struct Entity {{ u32 id; f32 x; f32 y; i32 health; bool active; }}", .{});
    say("expect type Entity size {d} align {d}", .{ @sizeOf(EntityExtern), @alignOf(EntityExtern) });
    s.case("zig_packed_struct_layout", "packed struct Packed { u8 tag; u64 value; u8 flag; }");
    say("expect type Packed size {d} align {d}", .{ @sizeOf(CarelessPacked), @alignOf(CarelessPacked) });
}
