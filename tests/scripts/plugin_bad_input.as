# Bad libraries for `new plugin`: each is a clear error naming the cause,
# and the session is as it was (the JSON state before and after is compared
# in tests/test_plugin_session.c). The expected errors: plugin_bad_input.err.
new bump 64 as keep
alloc 8 as kept
new plugin
new plugin nowhere.so
new plugin tests/scripts/plugin_bad_input.as
new plugin no_descriptor.so
new plugin bad_version.so
new plugin liar.so 4096 fail
new plugin liar.so 4096 crash-init
new plugin bump.so 128m
new plugin bump.so 4096 as keep
expect allocator keep
expect live 1
expect block kept offset 0 size 8
expect no warnings
