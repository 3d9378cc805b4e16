# issue 14, messages: `source /nonexistent/x` says only "cannot open".
# Lives in: src/app/session.c cmd_source (lineio_open gives the reason).
script setup.as 'new bump 256'
script bad.as 'new bump 256' 'source /nonexistent/x'
batch bad.as
expect_rc 1
expect_err "cannot open '/nonexistent/x': No such file or directory"
expect_state_of setup.as
