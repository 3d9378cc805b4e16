/*
 * fuzz_session.c - arbitrary bytes as commands: every line goes through
 * session_execute, and after each one every allocator's invariant check
 * must hold and the views must render. File commands are disabled.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocscope/jsonout.h"
#include "allocscope/session.h"
#include "allocscope/textmap.h"

#define MAX_LINES 300

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    session *s = session_create();
    session_set_sandbox(s, true);
    strbuf out;
    sb_init(&out);
    size_t lines = 0;
    for (size_t i = 0; i < size && lines < MAX_LINES; lines++) {
        size_t n = 0;
        while (i + n < size && data[i + n] != '\n')
            n++;
        char *line = malloc(n + 1);
        memcpy(line, data + i, n);
        line[n] = '\0';
        i += n + 1;
        sb_clear(&out);
        session_outcome oc = session_execute(s, line, &out);
        free(line);
        const char *why = session_check(s);
        if (why) {
            fprintf(stderr, "invariant broken after line %zu: %s\n", lines + 1, why);
            abort();
        }
        if (lines % 16 == 0) {
            sb_clear(&out);
            json_state(s, &out);
            textmap_options tm = {64, 8, lines % 32 == 0};
            textmap_render(s, &tm, &out);
        }
        if (oc.status == SESSION_QUIT)
            break;
    }
    sb_free(&out);
    session_destroy(s);
    return 0;
}
