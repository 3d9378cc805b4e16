# tests/plugins/crasher.c dies in alloc(24) (SIGSEGV) and alloc(25)
# (abort): each time the session carries on with the state before that
# step, later commands work, undo replays the crash to the same state, and
# a dry run (try) of a crashing alloc adds no warning; the plugin can be
# loaded again.
new plugin crasher.so 4096
alloc 8 align 8 as a
alloc 24 align 8 as b
expect warning crashed
expect live 1
alloc 8 align 8 as c
expect block c offset 8
alloc 25 as d
expect warnings 2
try alloc 24
expect warnings 2
alloc 4 as e
expect block e offset 16
undo
expect live 2
expect warnings 2
check
new plugin crasher.so 4096 as again
alloc 8 as f
expect block f offset 0
expect allocator again
