// zig_bump.zig - the tutorial's BumpAllocator (with exercise 1: resize of
// the most recent allocation), exported to allocscope through the C ABI of
// include/allocscope/plugin.h.
//
// The allocator below is the tutorial's code; only the bottom part is new:
// `export fn` shims that call it through its std.mem.Allocator, and the
// descriptor allocscope looks for. Built with Zig 0.11:
//
//   zig build-lib -dynamic -O ReleaseSafe -lc -I include \
//       tests/plugins/zig_bump.zig -femit-bin=build/plugins/zig_bump.so
const std = @import("std");
const c = @cImport(@cInclude("allocscope/plugin.h"));

pub const BumpAllocator = struct {
    buffer: []u8,
    offset: usize,
    allocations: usize,

    pub fn init(buffer: []u8) BumpAllocator {
        return .{
            .buffer = buffer,
            .offset = 0,
            .allocations = 0,
        };
    }

    pub fn reset(self: *BumpAllocator) void {
        self.offset = 0;
        self.allocations = 0;
    }

    pub fn allocator(self: *BumpAllocator) std.mem.Allocator {
        return .{
            .ptr = self,
            .vtable = &.{
                .alloc = alloc,
                .resize = resize,
                .free = free,
            },
        };
    }

    fn alloc(ctx: *anyopaque, len: usize, ptr_align: u8, _: usize) ?[*]u8 {
        const self: *BumpAllocator = @ptrCast(@alignCast(ctx));
        const alignment = @as(usize, 1) << @intCast(ptr_align);
        // Align the current offset forward
        const aligned_offset = std.mem.alignForward(usize, self.offset, alignment);
        if (aligned_offset + len > self.buffer.len) {
            return null; // out of memory
        }
        const result = self.buffer.ptr + aligned_offset;
        self.offset = aligned_offset + len;
        self.allocations += 1;
        return result;
    }

    // Exercise 1: the most recent allocation can grow or shrink in place.
    fn resize(ctx: *anyopaque, buf: []u8, _: u8, new_len: usize, _: usize) bool {
        const self: *BumpAllocator = @ptrCast(@alignCast(ctx));
        const start = @intFromPtr(buf.ptr) - @intFromPtr(self.buffer.ptr);
        if (start + buf.len != self.offset) return false;
        if (new_len > self.buffer.len - start) return false;
        self.offset = start + new_len;
        return true;
    }

    fn free(_: *anyopaque, _: []u8, _: u8, _: usize) void {
        // Individual free is a no-op for bump allocators
        // Everything gets freed at once via reset()
    }
};

// ---- the C ABI: what allocscope calls -------------------------------------

var bump: BumpAllocator = undefined;

export fn zig_bump_init(region: ?*anyopaque, size: usize, options: [*c]const u8) ?*anyopaque {
    _ = options;
    const bytes: [*]u8 = @ptrCast(region orelse return null);
    bump = BumpAllocator.init(bytes[0..size]);
    return &bump;
}

fn self_of(ctx: ?*anyopaque) *BumpAllocator {
    return @ptrCast(@alignCast(ctx.?));
}

export fn zig_bump_alloc(ctx: ?*anyopaque, len: usize, align_log2: u8, ret_addr: usize) ?*anyopaque {
    return self_of(ctx).allocator().rawAlloc(len, align_log2, ret_addr);
}

export fn zig_bump_resize(ctx: ?*anyopaque, mem: ?*anyopaque, len: usize, align_log2: u8, new_len: usize, ret_addr: usize) bool {
    const p: [*]u8 = @ptrCast(mem.?);
    return self_of(ctx).allocator().rawResize(p[0..len], align_log2, new_len, ret_addr);
}

// Zig 0.11's Allocator has no remap: it succeeds exactly when resize does.
export fn zig_bump_remap(ctx: ?*anyopaque, mem: ?*anyopaque, len: usize, align_log2: u8, new_len: usize, ret_addr: usize) ?*anyopaque {
    return if (zig_bump_resize(ctx, mem, len, align_log2, new_len, ret_addr)) mem else null;
}

export fn zig_bump_free(ctx: ?*anyopaque, mem: ?*anyopaque, len: usize, align_log2: u8, ret_addr: usize) void {
    const p: [*]u8 = @ptrCast(mem.?);
    self_of(ctx).allocator().rawFree(p[0..len], align_log2, ret_addr);
}

// The bump offset, so allocscope can draw it.
export fn zig_bump_describe(ctx: ?*const anyopaque, emit: c.asp_emit_fn, user: ?*anyopaque) void {
    const self: *const BumpAllocator = @ptrCast(@alignCast(ctx.?));
    emit.?(user, self.offset, 0, c.ASP_OFFSET);
}

export const allocscope_plugin = c.asp_descriptor{
    .version = c.ASP_VERSION,
    .name = "zig-bump",
    .init = zig_bump_init,
    .alloc = zig_bump_alloc,
    .resize = zig_bump_resize,
    .remap = zig_bump_remap,
    .free = zig_bump_free,
    .describe = zig_bump_describe,
    .check = null,
};
