/*
 * fuzz_scene.c - arbitrary bytes as a scene: it is split into steps,
 * played to the end, stepped back and forward again; the invariants hold
 * at every step. An input starting with the byte 0x01 has its second byte
 * pick an allocator (every kind and wrapping, some followed by a reset)
 * that the scene starts with, as in fuzz_session.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocscope/jsonout.h"
#include "allocscope/player.h"

#define MAX_BYTES 8192

static const char *const PRELUDES[] = {
    "new bump 256\n", "new fixed 256\n", "new stack 256\n", "new arena\n",
    "new pool 16 capacity 8\n", "new debug\n", "new counting\n", "new freelist 512\n",
    "new buddy 512\n", "new debug over freelist 512\n", "new debug over buddy 512\n",
    "new debug over bump 512\n", "new debug over stack 512\n", "new debug over fixed 512\n",
    "new counting over freelist 512\n", "new counting over buddy 512\n", "new arena over freelist 512\n",
    "new arena over buddy 512\n", "new debug over freelist 512\nalloc 8 as a\nreset\n",
    "new debug over buddy 512\nalloc 8 as a\nreset\n", "new arena\nalloc 8\nreset retain\n",
    "new pool 16 capacity 4\nalloc 16\nreset free-all\n",
};
#define PRELUDE_COUNT (sizeof PRELUDES / sizeof PRELUDES[0])

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The state as JSON without its step counter's line (as the tests'
 * sk_state): what a seek must give back exactly. */
static char *json_of(const session *s)
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_BYTES)
        return 0;
    const char *prelude = "";
    if (size >= 2 && data[0] == 0x01) {
        prelude = PRELUDES[data[1] % PRELUDE_COUNT];
        data += 2, size -= 2;
    }
    size_t pn = strlen(prelude);
    char *text = malloc(pn + size + 1);
    memcpy(text, prelude, pn);
    memcpy(text + pn, data, size);
    text[pn + size] = '\0';
    /* no file access from a fuzzed scene */
    for (char *p = text; (p = strstr(p, "source")) != NULL; p++)
        p[0] = '_';
    for (char *p = text; (p = strstr(p, "save")) != NULL; p++)
        p[0] = '_';
    for (char *p = text; (p = strstr(p, "trace")) != NULL; p++)
        p[0] = '_';
    for (char *p = text; (p = strstr(p, "export")) != NULL; p++)
        p[0] = '_';
    strbuf err;
    sb_init(&err);
    player *pl = player_from_text("fuzz", text, &err);
    if (pl) {
        /* a checkpoint after every step, and (odd first byte) idle time
         * playing it all ahead first: every seek below restores one */
        player_set_checkpoint_gap(pl, 0);
        if (size && (data[0] & 1))
            while (player_idle(pl, 64))
                ;
        size_t n = player_length(pl);
        char **states = calloc(n + 1, sizeof *states);
        states[0] = json_of(player_session(pl));
        for (size_t i = 1; player_next(pl); i++) {
            if (session_check(player_session(pl)))
                abort();
            states[i] = json_of(player_session(pl));
        }
        /* seeks back, far and near, and forward again land where the forward pass was */
        size_t to[] = {n / 2, n / 3, n, 0, n > 0 ? n - 1 : 0, (n * 2) / 3, 1 % (n + 1)};
        for (size_t k = 0; k < sizeof to / sizeof *to; k++) {
            player_seek(pl, to[k]);
            if (session_check(player_session(pl)))
                abort();
            char *now = json_of(player_session(pl));
            if (states[to[k]] && strcmp(now, states[to[k]]) != 0)
                abort(); /* a checkpoint put back something else */
            free(now);
        }
        player_seek(pl, n / 2);
        player_prev_mark(pl);
        player_next_mark(pl);
        if (session_check(player_session(pl)))
            abort();
        for (size_t i = 0; i <= n; i++)
            free(states[i]);
        free(states);
        player_close(pl);
    }
    sb_free(&err);
    free(text);
    return 0;
}
