# Scene 4: the tracking debug allocator of the tutorial (DebugBumpAllocator).
# Teaches: a wrapper that records every allocation finds leaks and double
# frees, and keeps the figures the tutorial's dumpStats prints. This is
# the tutorial's allocator as written (`new debug-bump`): a bump with
# records and no guard zones; scene 11 shows the guarded `debug` kind.
# Plays in about 2 minutes (34 steps, 3 pauses) at the default pace.
note The tutorial's DebugBumpAllocator over 8192 bytes: a bump that records every allocation, no guard zones.
new debug-bump 8192 as dbg
expect stat capacity 8192
note data1: 100 bytes at 0. data2: 50 u32 (200 bytes) at 100. data3: 200 bytes at 300.
alloc 100 as data1
alloc u32[50] as data2
alloc 200 as data3
expect block data1 offset 0 size 100
expect block data2 offset 100 size 200
expect block data3 offset 300 size 200
note The records live beside the memory: the blocks sit back to back, as on a bare bump. Offset 500.
expect offset 500
expect padding 0
expect metadata 0
pause
note Free two of them - data3 is deliberately not freed. A bump gets nothing back: the offset stays 500.
free data1
free data2
expect offset 500
note dumpStats: 1 active, 500 allocated, 300 freed, peak 500: the highest offset.
expect stat total_allocated 500
expect stat total_freed 300
expect peak 500
expect live 1
stats
pause
note The leak report names data3 and the step that made it.
leaks
expect warning leak
note Freeing data1 again: the debug allocator catches the double free and says where it came from.
free data1
expect warning double-free
expect warnings 2
pause
