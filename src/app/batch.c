/*
 * batch.c - headless script runs (see batch.h).
 */
#include "allocscope/batch.h"

#include <string.h>

#include "allocscope/jsonout.h"
#include "allocscope/lineio.h"
#include "allocscope/parse.h"
#include "allocscope/textmap.h"

static void report(FILE *err, const char *name, size_t lineno, const char *text)
{
    /* each line of the answer, prefixed with the position */
    const char *p = text;
    while (*p) {
        size_t n = strcspn(p, "\n");
        fprintf(err, "%s:%zu: %.*s\n", name, lineno, (int)n, p);
        p += n;
        if (*p == '\n')
            p++;
    }
}

int batch_run(session *s, FILE *in, const char *name, const batch_options *opt, FILE *out, FILE *err,
              batch_result *res)
{
    static const batch_options defaults = {0};
    if (opt == NULL)
        opt = &defaults;
    batch_result r = {0};
    size_t lineno = 0;
    bool pending = false;
    strbuf answer;
    sb_init(&answer);
    lineio *rd = lineio_from_stream(in, name, 0, true, &answer);
    if (rd == NULL) {
        fprintf(err, "allocscope: %s\n", sb_str(&answer));
        sb_free(&answer);
        if (res)
            *res = r;
        return 2;
    }
    textmap_options tm = {64, 16, opt->ascii};
    const char *line, *why;
    size_t len;
    lineio_status st;
    while ((st = lineio_next(rd, &line, &len, &why)) != LINEIO_EOF) {
        lineno = lineio_lineno(rd);
        if (st == LINEIO_ERROR) {
            fprintf(err, "%s: error: %s\n", name, why);
            r.errors++;
            break;
        }
        if (st == LINEIO_BAD_LINE) {
            fprintf(err, "%s:%zu: error: %s\n", name, lineno, why);
            r.errors++;
            continue;
        }
        sb_clear(&answer);
        session_outcome oc = interp_execute(s, line, &answer);
        pending = oc.pending;
        if (oc.status == SESSION_ERROR) {
            r.errors++;
            report(err, name, lineno, sb_str(&answer));
            continue;
        }
        if (oc.status == SESSION_EXPECT_FAILED) {
            r.failed_expects++;
            report(err, name, lineno, sb_str(&answer));
            continue;
        }
        if (answer.len)
            r.commands++;
        if (!opt->quiet)
            fputs(sb_str(&answer), out);
        if (oc.status == SESSION_QUIT)
            break;
        if (opt->frames && oc.changed && !opt->quiet) {
            sb_clear(&answer);
            textmap_render(s, &tm, &answer);
            fputs(sb_str(&answer), out);
        }
    }
    if (pending) {
        fprintf(err, "%s:%zu: error: the file ends inside a struct definition (missing '}')\n", name, lineno);
        r.errors++;
    }
    if (opt->json) {
        sb_clear(&answer);
        json_state(s, &answer);
        fprintf(out, "%s\n", sb_str(&answer));
    }
    sb_free(&answer);
    lineio_close(rd);
    if (res)
        *res = r;
    return r.errors || r.failed_expects ? 1 : 0;
}
