# Draft script (moves to tests/scripts once `new plugin` is wired):
# tests/plugins/crasher.c dies in alloc(24); the session carries on with the
# state before that step, and the plugin can be loaded again.
new plugin build/plugins/crasher.so 4096
alloc 8 align 8 as a
alloc 24 align 8 as b
expect warning crashed
expect live 1
alloc 8 align 8 as c
expect block c offset 8
new plugin build/plugins/crasher.so 4096 as again
alloc 8 as d
expect block d offset 0
