#!/bin/sh
# check_captions.sh - every caption of a scene that states a fact about the
# state is backed by an `expect` before the next caption or pause.
#
# A caption states a fact when it holds a digit or one of the words below
# (stays, merged, reused, damaged, ...). Its `expect` lines must come after
# it and before the next `note` or `pause`, so that a caption the allocator
# contradicts fails `make test`. Type names (u8, u32[10]) and text in
# backquotes (commands, struct declarations) are not counted as figures.
# Usage: tests/check_captions.sh [scenes/*.as]   exit 1 on the first scene that fails
set -u
[ $# -gt 0 ] || set -- scenes/*.as
status=0
for f in "$@"; do
    awk -v file="$f" '
        function flush() {
            if (open && !backed) {
                printf "%s:%d: a caption states a fact but no expect backs it before the next note/pause:\n    %s\n", file, line, text
                bad = 1
            }
            open = 0
        }
        /^[ \t]*#/ || /^[ \t]*$/ { next }
        /^[ \t]*note[ \t]/ {
            flush()
            t = $0
            sub(/^[ \t]*note[ \t]+/, "", t)
            # type names (u8, u32[10], i64) and struct sizes in backquotes are no state
            probe = t
            gsub(/`[^`]*`/, "", probe)
            gsub(/[uif](8|16|32|64|128)(\[[0-9]+\])?/, "", probe)
            # names with a number in them: "exercise 1", "Zig 0.11", "Scene 3"
            gsub(/([Ee]xercise|[Ss]cene|Zig) [0-9.]*[0-9]/, "", probe)
            if (probe ~ /[0-9]/ || tolower(probe) ~ /(^|[^a-z])(stays?|merged?|merges|reused?|reuses|damaged?|fails?|succeeds?|moves?|moved|grows?|leaks?|leaked|wasted?|slack|coalesce[sd]?|split)([^a-z]|$)/) {
                open = 1; backed = 0; line = NR; text = t
            }
            next
        }
        /^[ \t]*pause([ \t]|$)/ { flush(); next }
        /^[ \t]*expect[ \t]/ { if (open) backed = 1; next }
        END { flush(); exit bad }
    ' "$f" || status=1
done
[ $status -eq 0 ] && echo "captions: every fact is backed by an expect ($# scenes)"
exit $status
