# Scene 4: the tracking debug allocator of the tutorial.
# Teaches: a wrapper that records every allocation finds leaks and double
# frees, and keeps the figures the tutorial's dumpStats prints.
# Plays in about 2 minutes (26 steps, 3 pauses) at the default pace.
note A debug allocator over a bump allocator of 8192 bytes, as in the tutorial.
new debug 8192 as dbg
note data1: 100 bytes. data2: 50 u32 (200 bytes). data3: 200 bytes.
alloc 100 as data1
alloc u32[50] as data2
alloc 200 as data3
note The green G cells after each block are guard zones: writes past the end land there.
pause
note Free two of them - data3 is deliberately not freed.
free data1
free data2
note dumpStats: 1 active allocation, 500 bytes allocated, 300 freed, peak 500.
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
