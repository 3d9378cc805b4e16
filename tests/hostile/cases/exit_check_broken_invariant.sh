# issue 14, exit status: `check` reporting a broken invariant exited 0. The
# only script that breaks one today is the memory-safety hole (once that is
# closed, the write is refused and check holds: either way the run must not
# exit 0 with a broken invariant reported).
# Lives in: src/app/reports.c (cmd_check returns SESSION_OK whatever it finds).
script bad.as 'new debug over freelist 4096' 'alloc 64 as a' 'reset' \
    'write a "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"' 'check'
run "$PROG" --batch bad.as
if grep -q 'invariant is broken' "$T/out" "$T/err"; then expect_rc 1; fi
expect_no 'invariant is broken'
