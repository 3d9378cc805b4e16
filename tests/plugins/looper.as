# Draft script (moves to tests/scripts once `new plugin` is wired):
# tests/plugins/looper.c never returns from alloc(1000); after the time
# limit the session reports it and goes on.
new plugin build/plugins/looper.so 4096
alloc 8 as a
alloc 1000 as big
expect warning timeout
alloc 8 as b
expect block b offset 8
