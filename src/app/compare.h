/*
 * compare.h - comparison groups (`compare`): 2 to 4 allocators that every
 * allocation command runs on, with the same block names. The interpreter
 * hands the commands flagged INTERP_GROUP to compare_fan_out while a group
 * exists; the views read the group through session_group_count /
 * session_group_member and draw each member through session_view_of.
 */
#ifndef ALLOCSCOPE_COMPARE_H
#define ALLOCSCOPE_COMPARE_H

#include "handlers.h"

/* `compare MEMBER MEMBER [MEMBER [MEMBER]]`, `compare off`, `compare`. */
session_status cmd_compare(session *s, const parse_words *w, strbuf *out);

/* Runs a handler on every member of the group in turn, each member active
 * while it runs. A member that cannot do the command (its handler says
 * error) gets a warning naming it and the others go on; only when no
 * member could do it is it an error (nothing changed then). Each member's
 * answer is prefixed with its name. */
session_status compare_fan_out(session *s, cmd_handler run, const parse_words *w, strbuf *out);

/* Bytes of tail slack (a block's size rounded up by the allocator: buddy
 * orders, pool slots, free-list minimums) in allocator a. */
size_t compare_slack(session *s, size_t a);

/* The figures of one member over a trace replay. */
typedef struct compare_figures {
    size_t ops, failures, peak_live, high_water;
    bool multi_region;
    size_t slack, metadata;
    double ns;             /* time in this member's operations */
} compare_figures;

/* The table of a trace replayed on every member: text, or JSON. */
void compare_trace_table(session *s, const char *file, const compare_figures *f, size_t n, bool json,
                         strbuf *out);

#endif
