/*
 * fuzz_session.c - arbitrary bytes as commands: every line goes through
 * session_execute, and after each one every allocator's invariant check
 * must hold and the views must render, and a grid built with a block index
 * kept from line to line (as the live view keeps it) must equal a grid
 * built from scratch. File commands are disabled.
 *
 * So that every allocator kind, every wrapping (debug, counting and arena
 * over each backing kind) and every reset mode is reachable whatever the
 * fuzzer learns, an input that starts with the byte 0x01 names a prelude
 * with its second byte (an index into PRELUDES, modulo its length): the
 * prelude's commands run first, then the rest of the input. Any other
 * input is commands from its first byte (the seeds stay meaningful).
 * tests/fuzz/session.dict gives the fuzzer the language's words.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocscope/cells.h"
#include "allocscope/jsonout.h"
#include "allocscope/interp.h"
#include "allocscope/textmap.h"

#define MAX_LINES 300

/* Every kind alone, and every wrapper over every backing kind; some are
 * followed by blocks and a reset so that later commands meet a heap whose
 * memory was handed back (the class of the debug-over-freelist crash). */
static const char *const PRELUDES[] = {
    "new bump 256",
    "new fixed 256",
    "new stack 256",
    "new arena",
    "new pool 16 capacity 8",
    "new debug",
    "new counting",
    "new freelist 512",
    "new freelist 512 best-fit",
    "new freelist 512 next-fit",
    "new buddy 512",
    "new debug over bump 512",
    "new debug over fixed 512",
    "new debug over stack 512",
    "new debug over freelist 512",
    "new debug over buddy 512",
    "new debug over freelist 512 limit 100",
    "new counting over bump 512",
    "new counting over fixed 512",
    "new counting over stack 512",
    "new counting over freelist 512",
    "new counting over buddy 512",
    "new arena over bump 512",
    "new arena over fixed 512",
    "new arena over stack 512",
    "new arena over freelist 512",
    "new arena over buddy 512",
    "new debug over freelist 512\nalloc 8 as a\nalloc 24 as b\nreset",
    "new debug over buddy 512\nalloc 8 as a\nalloc 24 as b\nreset",
    "new counting over freelist 512\nalloc 8 as a\nreset",
    "new arena over freelist 512\nalloc 8 as a\nreset retain",
    "new arena over buddy 512\nalloc 8 as a\nreset free-all",
    "new arena\nalloc 8 as a\nreset limit 64",
    "new pool 16 capacity 4\nalloc 16 as a\nreset retain",
    "new pool 16 capacity 4\nalloc 16 as a\nreset free-all",
    "new pool 16 capacity 4\nalloc 16 as a\nreset limit 32",
    "new bump 256\nnew debug over freelist 512\nalloc 4 as a",
};
#define PRELUDE_COUNT (sizeof PRELUDES / sizeof PRELUDES[0])

/* The kept grid against a fresh one, at a zoom that fits 512 cells
 * (whatever zoom the input asked for: a frame-sized grid). */
static void compare_grids(const session *s, cells_grid *kept, size_t line)
{
    cells_grid fresh;
    cells_init(&fresh);
    size_t zoom = cells_fit_zoom(s, 512);
    bool a = cells_build(s, zoom, 0, kept), b = cells_build(s, zoom, 0, &fresh);
    if (a && b && !cells_grid_equal(kept, &fresh)) {
        fprintf(stderr, "after line %zu the grid built with a kept block index differs\n", line);
        abort();
    }
    cells_free(&fresh);
}

/* Runs one line; aborts when an invariant breaks or the grids differ. */
static session_status run_line(session *s, const char *line, strbuf *out, cells_grid *kept, size_t lineno)
{
    sb_clear(out);
    session_outcome oc = interp_execute(s, line, out);
    const char *why = session_check(s);
    if (why) {
        fprintf(stderr, "invariant broken after line %zu: %s\n", lineno, why);
        abort();
    }
    compare_grids(s, kept, lineno);
    if (lineno % 16 == 0) {
        sb_clear(out);
        json_state(s, out);
        textmap_options tm = {64, 8, lineno % 32 == 0};
        textmap_render(s, &tm, out);
    }
    return oc.status;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    session *s = session_create();
    interp_set_sandbox(s, true);
    strbuf out;
    sb_init(&out);
    cells_grid kept;
    cells_init(&kept);
    size_t lines = 0, i = 0;
    if (size >= 2 && data[0] == 0x01) {
        char prelude[256];
        snprintf(prelude, sizeof prelude, "%s", PRELUDES[data[1] % PRELUDE_COUNT]);
        for (char *line = strtok(prelude, "\n"); line; line = strtok(NULL, "\n"))
            run_line(s, line, &out, &kept, 0);
        i = 2;
    }
    for (; i < size && lines < MAX_LINES; lines++) {
        size_t n = 0;
        while (i + n < size && data[i + n] != '\n')
            n++;
        char *line = malloc(n + 1);
        memcpy(line, data + i, n);
        line[n] = '\0';
        i += n + 1;
        session_status st = run_line(s, line, &out, &kept, lines + 1);
        free(line);
        if (st == SESSION_QUIT)
            break;
    }
    sb_free(&out);
    cells_free(&kept);
    session_destroy(s);
    return 0;
}
