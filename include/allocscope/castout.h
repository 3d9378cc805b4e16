/*
 * castout.h - a scene as an asciicast v2 recording, and the command line's
 * export options (--export-svg, --export-cast, --export-html with --play).
 *
 * The recording is the live view itself: tui_record plays the scene in a
 * curses screen made with newterm on a file instead of a terminal, and each
 * frame's bytes, exactly what the live view sends to a terminal, become an
 * output event. A note or a pause adds a marker event ("m") whose label is
 * the caption, so asciinema-player's pauseOnMarkers and its [ ] keys step
 * through the lesson.
 */
#ifndef ALLOCSCOPE_CASTOUT_H
#define ALLOCSCOPE_CASTOUT_H

#include <stdbool.h>

#include "allocscope/strbuf.h"

/* Writes the recording of scene at cols x rows to path (svgout_write_file's
 * rule); delay_ms between steps, a pause held three times as long. False
 * with a message in err. */
bool castout_write(const char *scene, const char *path, int cols, int rows, long delay_ms, bool ascii, bool force,
                   strbuf *err);

/* The export options of the command line. */
typedef struct castout_cli {
    const char *svg_dir, *cast, *html;
    int cols, rows;          /* --size COLSxROWS (0: 120x40) */
    bool force;              /* --force: replace existing files */
    bool at_marks;           /* --at-marks: one SVG per note/pause, not per step */
    bool dark;               /* --theme dark */
} castout_cli;

/* If argv[i] is an export option, takes it (and its value) into c: returns
 * how many arguments it used, 0 if it is not one, -1 (a message on stderr)
 * if it is wrong. */
int castout_cli_option(int argc, char **argv, int i, castout_cli *c);
/* True if an export or one of its options was given. */
bool castout_cli_wanted(const castout_cli *c);
/* Runs the exports asked for on the scene: refused (nothing written) when
 * there is no scene, it has errors, or options came without an export.
 * Returns the exit status. */
int castout_cli_run(const castout_cli *c, const char *scene, long delay_ms, bool ascii);

#endif
