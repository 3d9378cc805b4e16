# tests/plugins/looper.c never returns from alloc(1000); after the time
# limit (2 s) the session reports it and goes on with the state before.
# Undo replays the steps with a short limit, not 2 s again.
new plugin looper.so 4096
alloc 8 as a
alloc 1000 as big
expect warning timeout
expect live 1
alloc 8 as b
expect block b offset 8
undo
expect live 1
expect warnings 1
