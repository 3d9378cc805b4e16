# issue 14, messages: `save d` (d a directory) and `save /nonexistent/x`
# say only "cannot write": give the system's reason.
# Lives in: src/app/session.c cmd_save.
mkdir "$T/d"
script bad.as 'new bump 256' "save $T/d"
batch bad.as
expect_rc 1
expect_err "Is a directory|is a directory"
script bad2.as 'new bump 256' 'save /nonexistent/x'
batch bad2.as
expect_rc 1
expect_err "No such file or directory"
