# Issue 13: what the lessons rely on. The tutorial's bump and exercise 1's,
# the tutorial's DebugBumpAllocator, slack, damaged bytes and the expects
# that back captions (free blocks, byte roles, slots).
new bump 256 as plain
alloc 16 as a
resize a 64
expect warning resize-failed
expect block a size 16
expect offset 16
new bump 256 resize-last as ex1
alloc 16 as b
resize b 64
expect block b size 64
expect offset 64
new arena over bump 65536 resize-last as grows
alloc 100 as c
alloc 5000 as d
expect block d region 0
new arena over bump 65536 as chunks
alloc 100 as e
alloc 5000 as f
expect block f region 1
# the tutorial's DebugBumpAllocator: no guards, peak = the highest offset
new debug-bump 8192 as tut
alloc 100 as g
free g
alloc 50 as h
expect block h offset 100
expect offset 150
expect peak 150
write h 60
expect warning overflow
expect damaged 0
# slack: a free list's too-small remainder, buddy's and pool's rounding
new freelist 256 as fl
alloc 64 as i
alloc 16 as j
free i
expect free 0 size 80
alloc 40 as k
expect block k offset 16 slack 24
expect bytes 56 24 slack
expect slack 24
expect padding 0
new buddy 1024 as bd
alloc 100 as l
expect block l slack 28
expect bytes 100 28 slack
expect free 128 size 128
new pool 20 capacity 4 as pl
alloc 20 as m
alloc 20 as n
expect block n slot 1 slack 4
free m
expect free 0
# damaged bytes stay until free
new debug 1024 as dbg
alloc 32 as o
alloc 16 as p
write o 40
expect bytes 32 8 damaged
expect block o damaged 8
free p
write p 4
expect block p damaged 4
expect damaged 12
check
expect damaged 12
free o
expect block o damaged 0
expect damaged 4
