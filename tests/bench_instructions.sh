#!/bin/sh
# bench_instructions.sh - instructions per allocation through the interface,
# counted exactly by valgrind's callgrind: the same loop runs for N and 2N
# allocations, and the difference divided by N leaves out all set-up; and
# instructions per frame of the live view over 100,000 blocks, which stay
# put where the CPU time of a frame drifts with the machine.
# Usage: tests/bench_instructions.sh path/to/allocscope
set -eu
prog=$1
n=200000
count() { # count KIND N -> total instructions
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$prog" bench --count "$1" "$2" 2>&1 \
        | sed -n 's/.*Collected : *\([0-9]*\).*/\1/p'
}
loop_a=$(count none "$n")
loop_b=$(count none $((n * 2)))
echo "instructions per allocation through the interface (callgrind, 16/32/64 bytes, align 16;"
echo "the loop around the call, $(echo "$loop_a $loop_b $n" | awk '{ printf "%.1f", ($2 - $1) / $3 }') instructions, is subtracted):"
for kind in bump fixed arena malloc; do
    a=$(count "$kind" "$n")
    b=$(count "$kind" $((n * 2)))
    per=$(echo "$a $b $n $loop_a $loop_b" | awk '{ printf "%.1f", (($2 - $1) - ($5 - $4)) / $3 }')
    goal=""
    case $kind in
        malloc) ;;
        *) goal=$(echo "$per" | awk '{ print ($1 <= 16) ? "goal met (<= 16)" : "goal MISSED (> 16)" }') ;;
    esac
    printf "  %-8s %6s  %s\n" "$kind" "$per" "$goal"
done

# a frame of the live view (200x50) over 100,000 blocks: frames 2..12 less
# frames 2..2 leaves out building the session and the first, full frame
frames() { # frames "new ..." N -> total instructions
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$prog" bench --frames "$1" "$2" 2>&1 \
        | sed -n 's/.*Collected : *\([0-9]*\).*/\1/p'
}
echo "instructions per frame of the live view, 200x50 over 100,000 blocks (callgrind; the CPU"
echo "time of the same frames is in 'allocscope bench scale', goal 4 ms):"
for create in "new bump 1G" "new freelist 64M" "new arena"; do
    a=$(frames "$create" 2)
    b=$(frames "$create" 12)
    printf "  %-18s %12s\n" "$create" "$(echo "$a $b" | awk '{ printf "%.0f", ($2 - $1) / 10 }')"
done
