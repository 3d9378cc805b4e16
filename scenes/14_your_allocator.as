# Scene 14: watch an allocator you wrote.
# Teaches: a plugin (tests/plugins/*.c, built by make into build/plugins)
# runs on memory allocscope owns and every promise it makes is checked: the
# tutorial's bump works; a resize bug is caught at the alloc that hands out
# the same bytes again; a crash is survived with the state before it.
# Plays in about 1 minute (28 steps, 2 pauses) at the default pace.
note Your allocator: the tutorial's bump, written in C as a plugin (tests/plugins/bump.c).
new plugin bump.so 1024 as mine
alloc u32[10] as nums
alloc 32 as message
expect block message offset 40
note Exercise 1: the last block grows in place; nums is in the way of message.
resize message 64
resize nums 80
expect warning resize-failed
pause
note Now a bump with a bug: its resize says yes but forgets to move the offset.
new plugin buggy_resize.so 256 as buggy
alloc 16 as list
resize list 32
expect block list size 32
alloc 8 as next
note Caught: next would have been list's bytes [16, 24). The block is refused.
expect warning overlap
expect live 1
pause
note A third one crashes in alloc(24). The session survives, the crash is reported.
new plugin crasher.so 256 as crashy
alloc 8 as first
alloc 24 as boom
expect warning crashed
note The state is the one before the crash, and it goes on working.
alloc 8 as second
expect block second offset 8
