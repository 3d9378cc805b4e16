# issue 14, exit status: `source` nesting too deeply exited 0.
# Lives in: src/app/session.c cmd_source (the depth error inside a sourced
# file is reported as the file's answer, not as an error).
printf 'source %s/self.as\n' "$T" >"$T/self.as"
script setup.as 'new bump 256'
script bad.as 'new bump 256' "source $T/self.as"
batch bad.as
expect_rc 1
expect_err "nest too deeply"
expect_state_of setup.as
