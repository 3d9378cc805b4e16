/* sessionkit.h - helpers for tests that drive a session. */
#ifndef ALLOCSCOPE_SESSIONKIT_H
#define ALLOCSCOPE_SESSIONKIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "allocscope/jsonout.h"
#include "allocscope/interp.h"

/* Runs one line; fails the test if the status differs. Returns the answer
 * (valid until the next call). */
static inline const char *sk_run_status(session *s, const char *line, session_status want)
{
    static strbuf out;
    sb_clear(&out);
    session_outcome oc = interp_execute(s, line, &out);
    if (oc.status != want)
        fail_msg("'%s': status %d, wanted %d; answer: %s", line, oc.status, want, sb_str(&out));
    return sb_str(&out);
}

static inline const char *sk_run(session *s, const char *line) { return sk_run_status(s, line, SESSION_OK); }

static inline void sk_script(session *s, const char *const *lines, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sk_run(s, lines[i]);
}

/* The state as JSON, without the step counter (which counts commands). */
static inline char *sk_state(const session *s)
{
    strbuf out;
    sb_init(&out);
    json_state(s, &out);
    const char *j = sb_str(&out);
    const char *comma = strchr(j, ',');
    char *copy = strdup(comma ? comma : j);
    sb_free(&out);
    return copy;
}

/* The state without its warnings: the allocators, blocks, figures and
 * types, for checking that a refused or ignored operation changed none. */
static inline char *sk_state_but_warnings(const session *s)
{
    char *j = sk_state(s);
    char *from = strstr(j, ",\"warnings\":");
    char *to = from ? strstr(from, ",\"types\":") : NULL;
    if (from && to)
        memmove(from, to, strlen(to) + 1);
    return j;
}

static inline bool sk_has_warning(const session *s, const char *kind, const char *fragment)
{
    for (size_t i = 0; i < session_warning_count(s); i++) {
        session_warning w = session_warning_at(s, i);
        if (!strcmp(w.kind, kind) && (fragment == NULL || strstr(w.message, fragment)))
            return true;
    }
    return false;
}

#endif
