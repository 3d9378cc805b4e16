/*
 * fuzz_session.c - arbitrary bytes as commands: every line goes through
 * session_execute, and after each one every allocator's invariant check
 * must hold and the views must render, and a grid built with a block index
 * kept from line to line (as the live view keeps it) must equal a grid
 * built from scratch. File commands are disabled.
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    session *s = session_create();
    interp_set_sandbox(s, true);
    strbuf out;
    sb_init(&out);
    cells_grid kept;
    cells_init(&kept);
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
        session_outcome oc = interp_execute(s, line, &out);
        free(line);
        const char *why = session_check(s);
        if (why) {
            fprintf(stderr, "invariant broken after line %zu: %s\n", lines + 1, why);
            abort();
        }
        compare_grids(s, &kept, lines + 1);
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
    cells_free(&kept);
    session_destroy(s);
    return 0;
}
