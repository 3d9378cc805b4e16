# A plugin without describe (the tutorial's bump, tests/plugins/bump.c):
# allocscope knows the blocks it handed out, live or freed, and nothing
# of the other bytes - free space or the plugin's own bookkeeping. They
# are unknown ('?' in the map), never unused, and no figure counts them
# as free.
new plugin bump.so 256 as bump
expect bytes 0 256 unknown
expect stat unknown_bytes 256
expect stat unused_bytes 0
alloc 40 as a
alloc 32 as b
alloc 16 align 16 as c
expect block c offset 80
free b
# live where a block lives, freed where one lived, unknown elsewhere:
# the 8 bytes skipped to align c too (the plugin's, not described)
expect bytes 0 40 live
expect bytes 40 32 freed
expect bytes 72 8 unknown
expect bytes 80 16 live
expect bytes 96 160 unknown
expect stat unknown_bytes 168
expect stat freed_bytes 32
expect stat unused_bytes 0
# c grows in place over unknown bytes, then is freed: known to be freed
resize c 64
expect bytes 80 64 live
free c
expect bytes 80 64 freed
expect bytes 144 112 unknown
expect stat unknown_bytes 120
# undo brings the live block back, and its bytes stay known
undo
expect bytes 80 64 live
expect stat unknown_bytes 120
# a plugin that describes itself (its stack: 536 bytes of metadata at the
# start): nothing is unknown, the rest is unused
new plugin lifo.so 1024 as lifo
alloc 10 as x
expect stat unknown_bytes 0
expect metadata 536
expect bytes 536 10 live
expect bytes 546 478 unused
expect no warnings
