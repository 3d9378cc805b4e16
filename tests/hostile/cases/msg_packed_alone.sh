# issue 14, messages: `packed` alone said "did you mean 'packed'?".
# Lives in: src/app/parse.c parse_suggest (no self-suggestion: fixed); a
# word on where packed goes would be src/app/session.c unknown_command.
script setup.as 'new bump 256'
script bad.as 'new bump 256' 'packed'
batch bad.as
expect_rc 1
expect_no "did you mean 'packed'"
expect_err "unknown command 'packed'"
expect_state_of setup.as
