# issue 14, data: `save` replaced a file without a word (and not
# atomically). Replacing says so (or is refused without `force`), and the
# old file is never left half-written.
# Lives in: src/app/session.c cmd_save (write FILE.tmp, rename).
printf 'precious\n' >"$T/keep.as"
script s.as 'new bump 256' "save $T/keep.as"
run "$PROG" --batch "$T/s.as"
if grep -q '^precious$' "$T/keep.as"; then
    expect_err "exists|force|replace"
else
    grep -Eq "replaced|overwrote|overwritten" "$T/out" "$T/err" || fail "save replaced a file without a word"
fi
ls "$T" | grep -q '\.tmp' && fail "a temporary file was left behind"
:
