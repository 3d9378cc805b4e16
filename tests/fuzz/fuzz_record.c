/*
 * fuzz_record.c - arbitrary bytes as a recording of allocscope record,
 * replayed on its glibc view: `new glibc FILE` must refuse what it cannot
 * lay out with a message, and whatever it builds must replay the
 * recording's script with the session's invariants intact (a recording
 * that contradicts itself makes operations fail, never memory go wrong).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "allocscope/interp.h"
#include "allocscope/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64];
    if (!path[0])
        snprintf(path, sizeof path, "/tmp/fuzz_record.%d.rec", (int)getpid());
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    strbuf script, err, out;
    sb_init(&script);
    sb_init(&err);
    sb_init(&out);
    trace_header h;
    bool readable = trace_to_script(text, &h, &script, &err);
    session *s = session_create();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "new glibc %s", path);
    session_outcome oc = interp_execute(s, cmd, &out);
    if (oc.status != SESSION_OK && out.len == 0) {
        fprintf(stderr, "new glibc refused without a message\n");
        abort();
    }
    size_t ops = 0;
    for (const char *line = sb_str(&script); readable && oc.status == SESSION_OK && *line && ops < 2000; ops++) {
        size_t n = strcspn(line, "\n");
        char one[128];
        snprintf(one, sizeof one, "%.*s", (int)n, line);
        line += n + (line[n] == '\n');
        sb_clear(&out);
        interp_execute(s, one, &out);
        if (session_check(s)) {
            fprintf(stderr, "invariant broken: %s\n", session_check(s));
            abort();
        }
    }
    session_destroy(s);
    sb_free(&out);
    sb_free(&script);
    sb_free(&err);
    free(text);
    return 0;
}
