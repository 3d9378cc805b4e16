/*
 * fuzz_scene.c - arbitrary bytes as a scene: it is split into steps,
 * played to the end, stepped back and forward again; the invariants hold
 * at every step.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocscope/player.h"

#define MAX_BYTES 8192

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_BYTES)
        return 0;
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    /* no file access from a fuzzed scene */
    for (char *p = text; (p = strstr(p, "source")) != NULL; p++)
        p[0] = '_';
    for (char *p = text; (p = strstr(p, "save")) != NULL; p++)
        p[0] = '_';
    for (char *p = text; (p = strstr(p, "trace")) != NULL; p++)
        p[0] = '_';
    strbuf err;
    sb_init(&err);
    player *pl = player_from_text("fuzz", text, &err);
    if (pl) {
        while (player_next(pl))
            if (session_check(player_session(pl)))
                abort();
        size_t n = player_length(pl);
        player_seek(pl, n / 2);
        player_prev_mark(pl);
        player_next_mark(pl);
        if (session_check(player_session(pl)))
            abort();
        player_close(pl);
    }
    sb_free(&err);
    free(text);
    return 0;
}
