# issue 14: a trace whose header asks for more than 1 GiB silently ran on
# the default bump. Now, as mdriver does, the header's heap size is only a
# suggestion (issue 15): with no allocator of the user's the trace replays
# on a free list that grows like sbrk up to 1 GiB, and says that the header
# asked for more - never silently, never on the default bump.
# Lives in: src/app/interp.c (trace_default_allocator) / main.c run_trace.
printf '4294967296\n1\n2\n1\na 0 16\nf 0\n' >"$T/big.rep"
script big.as "trace $T/big.rep"
run "$PROG" --batch "$T/big.as"
expect_rc 0
expect_out "more than allocscope's 1 GiB"
expect_out "grows like mdriver's sbrk"
run "$PROG" --trace "$T/big.rep" --batch
[ "$RC" = 0 ] || fail "--trace with a 4 GiB header and 2 good operations exits $RC"
grep -q "more than allocscope's 1 GiB" "$T/out" || fail "--trace with a 4 GiB header does not say the heap stops at 1 GiB"
:
