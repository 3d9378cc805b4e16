# issue 14, data: a failed `expect` was saved too, so the replay exits 1.
# Lives in: src/app/session.c / src/app/expect.c (what enters the history)
# and cmd_save.
script s.as 'new bump 256' 'alloc 8 as a' 'expect live 5' "save $T/saved.as"
batch s.as
expect_rc 1
batch "$T/saved.as"
expect_rc 0
