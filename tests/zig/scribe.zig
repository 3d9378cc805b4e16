//! scribe.zig - writes what an allocator really did as an allocscope script.
//!
//! A Scribe wraps any std.mem.Allocator (Zig 0.11's vtable). Every call that
//! goes through it is forwarded unchanged and written to stdout as the
//! allocscope command that does the same (`alloc`, `resize`, `free`), each
//! followed by an `expect` of what Zig's allocator answered: the block's
//! offset and size, or the warning allocscope must give instead. Offsets are
//! counted from the start of the region that holds the block (the buffer, or
//! an arena's chunk: ChunkLog adds chunks as regions).
//!
//! Output is grouped in cases: `case NAME` starts one (run.sh cuts the output
//! into one script per case, so a failing case names itself).
const std = @import("std");
const Allocator = std.mem.Allocator;

pub var out: std.fs.File.Writer = undefined;

pub fn init() void {
    out = std.io.getStdOut().writer();
}

pub fn say(comptime fmt: []const u8, args: anytype) void {
    out.print(fmt ++ "\n", args) catch @panic("stdout");
}

/// Starts a case; `new` is the allocscope `new` line that builds the same allocator.
pub fn case(name: []const u8, new: []const u8) void {
    say("case {s}", .{name});
    say("{s}", .{new});
}

pub const Region = struct { base: usize, len: usize };

pub const Scribe = struct {
    inner: Allocator,
    regions: [64]Region = undefined,
    region_count: usize = 0,
    blocks: [512]Block = undefined,
    block_count: usize = 0,
    /// Each block's offset is written as offset - shift (a pool's slab has
    /// no chunk header in front of its first slot).
    shift: usize = 0,

    const Block = struct { ptr: usize, len: usize, live: bool };

    pub fn init(inner: Allocator) Scribe {
        return .{ .inner = inner };
    }

    pub fn allocator(self: *Scribe) Allocator {
        return .{ .ptr = self, .vtable = &.{ .alloc = alloc, .resize = resize, .free = free } };
    }

    pub fn addRegion(self: *Scribe, base: [*]const u8, len: usize) void {
        self.regions[self.region_count] = .{ .base = @intFromPtr(base), .len = len };
        self.region_count += 1;
    }

    pub fn growRegion(self: *Scribe, base: [*]const u8, len: usize) void {
        for (self.regions[0..self.region_count]) |*r| {
            if (r.base == @intFromPtr(base)) r.len = len;
        }
    }

    pub fn offsetOf(self: *const Scribe, p: usize) usize {
        var i = self.region_count;
        while (i > 0) {
            i -= 1;
            const r = self.regions[i];
            if (p >= r.base and p < r.base + r.len) return p - r.base - self.shift;
        }
        @panic("scribe: a block outside every region");
    }

    /// The name (b<index>) of the live block at p.
    pub fn nameOf(self: *const Scribe, p: usize) usize {
        var i = self.block_count;
        while (i > 0) {
            i -= 1;
            if (self.blocks[i].ptr == p and self.blocks[i].live) return i;
        }
        @panic("scribe: no live block there");
    }

    fn alloc(ctx: *anyopaque, len: usize, log2_align: u8, ra: usize) ?[*]u8 {
        const self: *Scribe = @ptrCast(@alignCast(ctx));
        const id = self.block_count;
        const alignment = @as(usize, 1) << @as(u6, @intCast(log2_align));
        say("alloc {d} align {d} as b{d}", .{ len, alignment, id });
        const p = self.inner.rawAlloc(len, log2_align, ra) orelse {
            say("expect warning out-of-memory", .{});
            return null;
        };
        self.blocks[id] = .{ .ptr = @intFromPtr(p), .len = len, .live = true };
        self.block_count += 1;
        say("expect block b{d} offset {d} size {d}", .{ id, self.offsetOf(@intFromPtr(p)), len });
        return p;
    }

    fn resize(ctx: *anyopaque, buf: []u8, log2_align: u8, new_len: usize, ra: usize) bool {
        const self: *Scribe = @ptrCast(@alignCast(ctx));
        const id = self.nameOf(@intFromPtr(buf.ptr));
        say("resize b{d} {d}", .{ id, new_len });
        if (self.inner.rawResize(buf, log2_align, new_len, ra)) {
            self.blocks[id].len = new_len;
            say("expect block b{d} size {d}", .{ id, new_len });
            return true;
        }
        say("expect warning resize-failed", .{});
        say("expect block b{d} size {d}", .{ id, buf.len });
        return false;
    }

    fn free(ctx: *anyopaque, buf: []u8, log2_align: u8, ra: usize) void {
        const self: *Scribe = @ptrCast(@alignCast(ctx));
        const id = self.nameOf(@intFromPtr(buf.ptr));
        say("free b{d}", .{id});
        self.blocks[id].live = false;
        self.inner.rawFree(buf, log2_align, ra);
    }
};

/// Sits between an arena (or pool) and its backing allocator: logs every
/// chunk the backing allocator hands out, and makes it a region of the
/// scribe above, so block offsets count from their chunk.
pub const ChunkLog = struct {
    inner: Allocator,
    scribe: *Scribe,
    capacity: usize = 0,
    chunks: usize = 0,

    pub fn allocator(self: *ChunkLog) Allocator {
        return .{ .ptr = self, .vtable = &.{ .alloc = alloc, .resize = resize, .free = free } };
    }

    fn alloc(ctx: *anyopaque, len: usize, log2_align: u8, ra: usize) ?[*]u8 {
        const self: *ChunkLog = @ptrCast(@alignCast(ctx));
        const p = self.inner.rawAlloc(len, log2_align, ra) orelse return null;
        self.capacity += len;
        self.chunks += 1;
        say("# zig: the arena takes a chunk of {d} bytes (capacity {d})", .{ len, self.capacity });
        self.scribe.addRegion(p, len);
        return p;
    }

    fn resize(ctx: *anyopaque, buf: []u8, log2_align: u8, new_len: usize, ra: usize) bool {
        const self: *ChunkLog = @ptrCast(@alignCast(ctx));
        if (!self.inner.rawResize(buf, log2_align, new_len, ra)) return false;
        self.capacity = self.capacity - buf.len + new_len;
        say("# zig: the arena's chunk of {d} bytes is resized in place to {d} (capacity {d})", .{ buf.len, new_len, self.capacity });
        self.scribe.growRegion(buf.ptr, new_len);
        return true;
    }

    fn free(ctx: *anyopaque, buf: []u8, log2_align: u8, ra: usize) void {
        const self: *ChunkLog = @ptrCast(@alignCast(ctx));
        self.capacity -= buf.len;
        self.chunks -= 1;
        say("# zig: the arena gives back a chunk of {d} bytes (capacity {d})", .{ buf.len, self.capacity });
        self.inner.rawFree(buf, log2_align, ra);
    }
};
