/*
 * fuzz_trace.c - arbitrary bytes as a malloc-lab trace: the reader must
 * reject what is malformed with a message, and whatever it accepts must
 * replay on a free list with its invariants intact.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocscope/interp.h"
#include "allocscope/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    strbuf script, err;
    sb_init(&script);
    sb_init(&err);
    trace_header h;
    if (trace_to_script(text, &h, &script, &err)) {
        session *s = session_create();
        interp_set_sandbox(s, true);
        strbuf out;
        sb_init_discard(&out);
        interp_execute(s, "new freelist 64k", &out);
        size_t ops = 0;
        for (const char *line = sb_str(&script); *line && ops < 2000; ops++) {
            size_t n = strcspn(line, "\n");
            char one[128];
            snprintf(one, sizeof one, "%.*s", (int)n, line);
            line += n + (line[n] == '\n');
            interp_execute(s, one, &out);
            if (session_check(s)) {
                fprintf(stderr, "invariant broken: %s\n", session_check(s));
                abort();
            }
        }
        session_destroy(s);
    } else if (err.len == 0) {
        fprintf(stderr, "a rejected trace without a message\n");
        abort();
    }
    sb_free(&script);
    sb_free(&err);
    free(text);
    return 0;
}
