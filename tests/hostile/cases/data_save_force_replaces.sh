# issue 14, data: `save FILE force` replaces an existing file, says so, and
# leaves no temporary file; the saved script holds the whole multi-line
# struct as one line and replays to exit 0.
# Lives in: src/app/interp.c cmd_save (svgout_write_file).
printf 'precious\n' >"$T/keep.as"
script s.as 'new bump 256' 'struct P {' '  u8 a;' '  u32 b;' '}' 'alloc P as p' "save $T/keep.as force"
run "$PROG" --batch "$T/s.as"
expect_rc 0
expect_out "replaced"
grep -q '^precious$' "$T/keep.as" && fail "save force did not replace the file"
grep -Eq '^struct P \{ +u8 a; +u32 b; \}$' "$T/keep.as" || { cat "$T/keep.as"; fail "the struct is not saved whole"; }
ls "$T" | grep -q '\.tmp' && fail "a temporary file was left behind"
run "$PROG" --batch "$T/keep.as"
expect_rc 0
script bad.as 'new bump 256' "save $T/keep.as extra"
run "$PROG" --batch "$T/bad.as"
expect_rc 1
expect_err "usage: save FILE \[force\]"
