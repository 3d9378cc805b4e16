# Scene 9: exercise 3 - a LIFO stack allocator.
# Teaches: a small header before each block remembers where the stack
# stood; freeing the top block rewinds past its padding and header;
# freeing out of order is refused with a warning. The header in the
# buffer is allocscope's design: exercise 3 keeps its stack of sizes
# beside the buffer, so its offsets differ (tests/zig/FINDINGS.md).
# Plays in about 2 minutes (27 steps, 3 pauses) at the default pace.
note A stack allocator: like a bump, but each block carries an 8-byte header (H) in the buffer - allocscope's design.
new stack 1024 as stack
alloc 5 as first
alloc u64 as second
alloc 12 as third
expect block first offset 8
note second needed alignment 8: padding sits before its header.
expect block second padding 3
pause
note Free in reverse order: third, second, first. Each free rewinds the offset.
free third
expect offset 32
free second
expect offset 13
free first
expect offset 0
pause
note Again three blocks - and now free the first one out of order.
alloc 5 as first
alloc u64 as second
alloc 12 as third
free first
note Refused: only the top of the stack can be freed. The warning names the block.
expect warning out-of-order-free
expect block first live
expect offset 52
pause
