# issue 14, messages: `--on` without `--trace` was silently ignored.
# Lives in: src/app/main.c parse_args.
printf 'new bump 64\n' >"$T/s.as"
run "$PROG" --on "buddy 1M" --batch "$T/s.as"
expect_rc 2
expect_err "--on applies to --trace only"
