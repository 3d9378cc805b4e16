//! tutorial.zig - the allocators of "Learn Zig Series (#26) - Writing a
//! Custom Allocator" (shared/seeds), as the tutorial writes them, ported to
//! Zig 0.11's std.mem.Allocator vtable.
//!
//! The port changes signatures only: the tutorial's resize is declared as
//! fn (*anyopaque, [*]u8, usize, u8, usize, usize) bool, which is neither
//! 0.11's nor 0.14's (0.11: resize(ctx, buf: []u8, log2_align: u8, new_len,
//! ret_addr); free(ctx, buf: []u8, log2_align: u8, ret_addr); 0.14 adds
//! remap and passes std.mem.Alignment). Bodies are the tutorial's; the
//! DebugBumpAllocator's messages are kept as counters, not printed.
const std = @import("std");
const Allocator = std.mem.Allocator;

/// The main text's BumpAllocator: resize always returns false.
/// With resize_last (exercise 1), the most recent allocation can be resized
/// by moving the offset.
pub const BumpAllocator = struct {
    buffer: []u8,
    offset: usize,
    allocations: usize,
    resize_last: bool = false,

    pub fn init(buffer: []u8) BumpAllocator {
        return .{ .buffer = buffer, .offset = 0, .allocations = 0 };
    }

    /// Exercise 1: "support resize for the most recent allocation".
    pub fn initExercise1(buffer: []u8) BumpAllocator {
        return .{ .buffer = buffer, .offset = 0, .allocations = 0, .resize_last = true };
    }

    pub fn reset(self: *BumpAllocator) void {
        self.offset = 0;
        self.allocations = 0;
    }

    pub fn allocator(self: *BumpAllocator) Allocator {
        return .{ .ptr = self, .vtable = &.{ .alloc = alloc, .resize = resize, .free = free } };
    }

    fn alloc(ctx: *anyopaque, len: usize, ptr_align: u8, _: usize) ?[*]u8 {
        const self: *BumpAllocator = @ptrCast(@alignCast(ctx));
        const alignment = @as(usize, 1) << @intCast(ptr_align);
        const aligned_offset = std.mem.alignForward(usize, self.offset, alignment);
        if (aligned_offset + len > self.buffer.len) return null;
        const result = self.buffer.ptr + aligned_offset;
        self.offset = aligned_offset + len;
        self.allocations += 1;
        return result;
    }

    fn resize(ctx: *anyopaque, buf: []u8, _: u8, new_len: usize, _: usize) bool {
        const self: *BumpAllocator = @ptrCast(@alignCast(ctx));
        if (!self.resize_last) return false; // "Bump allocator can't resize in general"
        // exercise 1: "If the requested resize is for the last allocation, just adjust the offset."
        if (buf.ptr + buf.len != self.buffer.ptr + self.offset) return false;
        const start = @intFromPtr(buf.ptr) - @intFromPtr(self.buffer.ptr);
        if (start + new_len > self.buffer.len) return false;
        self.offset = start + new_len;
        return true;
    }

    fn free(_: *anyopaque, _: []u8, _: u8, _: usize) void {}
};

/// The DebugBumpAllocator as the tutorial writes it: no guards; peak is the
/// highest offset; a double free is detected and ignored.
pub const DebugBumpAllocator = struct {
    buffer: []u8,
    offset: usize = 0,
    active_allocations: usize = 0,
    total_allocated: usize = 0,
    total_freed: usize = 0,
    peak_usage: usize = 0,
    log: [256]AllocationEntry = undefined,
    log_count: usize = 0,
    double_frees: usize = 0,
    unknown_frees: usize = 0,

    const AllocationEntry = struct { ptr: usize, size: usize, freed: bool };

    pub fn init(buffer: []u8) DebugBumpAllocator {
        return .{ .buffer = buffer };
    }

    pub fn allocator(self: *DebugBumpAllocator) Allocator {
        return .{ .ptr = self, .vtable = &.{ .alloc = alloc, .resize = resize, .free = free } };
    }

    fn alloc(ctx: *anyopaque, len: usize, ptr_align: u8, _: usize) ?[*]u8 {
        const self: *DebugBumpAllocator = @ptrCast(@alignCast(ctx));
        const alignment = @as(usize, 1) << @intCast(ptr_align);
        const aligned_offset = std.mem.alignForward(usize, self.offset, alignment);
        if (aligned_offset + len > self.buffer.len) return null;
        const result = self.buffer.ptr + aligned_offset;
        self.offset = aligned_offset + len;
        self.active_allocations += 1;
        self.total_allocated += len;
        if (self.offset > self.peak_usage) self.peak_usage = self.offset;
        if (self.log_count < self.log.len) {
            self.log[self.log_count] = .{ .ptr = @intFromPtr(result), .size = len, .freed = false };
            self.log_count += 1;
        }
        return result;
    }

    fn resize(_: *anyopaque, _: []u8, _: u8, _: usize, _: usize) bool {
        return false;
    }

    fn free(ctx: *anyopaque, buf: []u8, _: u8, _: usize) void {
        const self: *DebugBumpAllocator = @ptrCast(@alignCast(ctx));
        const addr = @intFromPtr(buf.ptr);
        for (self.log[0..self.log_count]) |*entry| {
            if (entry.ptr == addr) {
                if (entry.freed) {
                    self.double_frees += 1; // "[DEBUG-ALLOC] DOUBLE FREE detected"
                    return;
                }
                entry.freed = true;
                self.active_allocations -= 1;
                self.total_freed += buf.len;
                return;
            }
        }
        self.unknown_frees += 1;
    }

    pub fn leaks(self: *const DebugBumpAllocator) usize {
        var n: usize = 0;
        for (self.log[0..self.log_count]) |e| {
            if (!e.freed) n += 1;
        }
        return n;
    }
};

/// Exercise 2: forwards everything, counts active allocations, bytes and peak bytes.
pub const CountingAllocator = struct {
    inner: Allocator,
    active: usize = 0,
    bytes: usize = 0,
    peak: usize = 0,

    pub fn allocator(self: *CountingAllocator) Allocator {
        return .{ .ptr = self, .vtable = &.{ .alloc = alloc, .resize = resize, .free = free } };
    }

    fn alloc(ctx: *anyopaque, len: usize, a: u8, ra: usize) ?[*]u8 {
        const self: *CountingAllocator = @ptrCast(@alignCast(ctx));
        const p = self.inner.rawAlloc(len, a, ra) orelse return null;
        self.active += 1;
        self.bytes += len;
        if (self.bytes > self.peak) self.peak = self.bytes;
        return p;
    }

    fn resize(ctx: *anyopaque, buf: []u8, a: u8, new_len: usize, ra: usize) bool {
        const self: *CountingAllocator = @ptrCast(@alignCast(ctx));
        if (!self.inner.rawResize(buf, a, new_len, ra)) return false;
        self.bytes = self.bytes - buf.len + new_len;
        if (self.bytes > self.peak) self.peak = self.bytes;
        return true;
    }

    fn free(ctx: *anyopaque, buf: []u8, a: u8, ra: usize) void {
        const self: *CountingAllocator = @ptrCast(@alignCast(ctx));
        self.inner.rawFree(buf, a, ra);
        self.active -= 1;
        self.bytes -= buf.len;
    }
};

/// Exercise 3: a bump allocator with LIFO frees. A small stack of the
/// offsets before each allocation; freeing the top rewinds to it (the
/// padding before the block goes too); any other free is refused.
pub const StackAllocator = struct {
    buffer: []u8,
    offset: usize = 0,
    starts: [64]usize = undefined, // where each block starts
    prev: [64]usize = undefined, // the offset before it (rewind target)
    depth: usize = 0,
    out_of_order: usize = 0,

    pub fn init(buffer: []u8) StackAllocator {
        return .{ .buffer = buffer };
    }

    pub fn allocator(self: *StackAllocator) Allocator {
        return .{ .ptr = self, .vtable = &.{ .alloc = alloc, .resize = resize, .free = free } };
    }

    fn alloc(ctx: *anyopaque, len: usize, ptr_align: u8, _: usize) ?[*]u8 {
        const self: *StackAllocator = @ptrCast(@alignCast(ctx));
        const alignment = @as(usize, 1) << @intCast(ptr_align);
        const aligned_offset = std.mem.alignForward(usize, self.offset, alignment);
        if (aligned_offset + len > self.buffer.len or self.depth == self.starts.len) return null;
        self.starts[self.depth] = aligned_offset;
        self.prev[self.depth] = self.offset;
        self.depth += 1;
        self.offset = aligned_offset + len;
        return self.buffer.ptr + aligned_offset;
    }

    fn resize(_: *anyopaque, _: []u8, _: u8, _: usize, _: usize) bool {
        return false;
    }

    fn free(ctx: *anyopaque, buf: []u8, _: u8, _: usize) void {
        const self: *StackAllocator = @ptrCast(@alignCast(ctx));
        const off = @intFromPtr(buf.ptr) - @intFromPtr(self.buffer.ptr);
        if (self.depth == 0 or self.starts[self.depth - 1] != off) {
            self.out_of_order += 1; // "print a warning and do nothing"
            return;
        }
        self.depth -= 1;
        self.offset = self.prev[self.depth];
    }
};
