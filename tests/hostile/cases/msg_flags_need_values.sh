# issue 14, messages: flags given without their value (--delay, --play,
# --ops, --gen-trace, ...) say "needs a value", exit 2.
# Lives in: src/app/main.c parse_args / flag_value.
for f in --delay --play --ops --seed --gen-trace --trace --on; do
    run "$PROG" $f
    expect_rc 2
    expect_err "^allocscope: $f needs a value"
done
# a flag is not a value
run "$PROG" --play --delay 5
expect_rc 2
expect_err "^allocscope: --play needs a value"
run "$PROG" --delay x
expect_rc 2
expect_err "not 'x'"
